"""The production compose file stays valid: every service healthy-checked, the app wired to all."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def test_compose_declares_the_production_stack() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"vllm", "qdrant", "postgres", "redis", "app"} <= set(services)
    for name in ("vllm", "qdrant", "postgres", "redis", "app"):
        assert "healthcheck" in services[name], name
    vllm = " ".join(services["vllm"]["command"])
    assert "--enable-auto-tool-choice" in vllm and "--enable-lora" in vllm and "--tool-call-parser" in vllm
    assert services["vllm"]["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    env = services["app"]["environment"]
    assert env["CONCIERGE_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["CONCIERGE_REDIS_URL"].startswith("redis://") and env["CONCIERGE_QDRANT_URL"].startswith("http://qdrant")
    assert env["CONCIERGE_LLM_URL"] == "http://vllm:8000/v1"
    assert set(services["app"]["depends_on"]) >= {"postgres", "redis", "qdrant", "vllm"}


def test_every_app_setting_in_compose_exists() -> None:
    from server.settings import Settings

    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    fields = {f"CONCIERGE_{name.upper()}" for name in Settings.model_fields}
    used = {k for k in compose["services"]["app"]["environment"] if k.startswith("CONCIERGE_")}
    assert used <= fields, used - fields
