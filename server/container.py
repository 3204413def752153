"""The composition root: builds every collaborator from Settings, once per process."""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from server.settings import Settings
from tools.crm import registry as crm_registry
from tools.db import make_engine, make_sessionmaker
from tools.offers import registry as offers_registry
from tools.registry import ToolRegistry
from tools.service import ToolService

log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings

    # ------------------------------------------------------------------ CRM
    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.sqlalchemy_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine)

    @cached_property
    def tool_registry(self) -> ToolRegistry:
        return crm_registry.merge(offers_registry)

    @cached_property
    def tools(self) -> ToolService:
        return ToolService(self.sessions, self.tool_registry, on_write=[self._refresh_history])

    def _refresh_history(self, tool: str, session: Any, result: Any) -> None:
        """After an order changes through a tool, the customer's history vectors follow."""
        if isinstance(result, dict) and "order_id" in result and "retrieval" in self.__dict__:
            from retrieval.tau2_adapter import order_from_record

            self.retrieval.upsert_order(order_from_record(result))

    def catalog_terms(self) -> list[str]:
        """Product names and option values ("RGB", "Apple HomeKit"): never PII, whatever NER says."""
        from tools.models import Product, Variant

        with self.sessions() as db:
            names = set(db.scalars(select(Product.name)))
            for options in db.scalars(select(Variant.options)):
                names.update(str(v) for v in options.values() if len(str(v)) > 2 and any(c.isalpha() for c in str(v)))
        return sorted(names)

    def customer_summary(self, customer_id: str | None) -> dict[str, Any] | None:
        """What the widget may show about the signed-in shopper."""
        if not customer_id:
            return None
        from tools.models import Customer

        with self.sessions() as db:
            c = db.get(Customer, customer_id)
            return {"first_name": c.first_name} if c else None

    def customer_value(self, customer_id: str | None) -> float:
        """Queue priority points for who the customer is (RFM segment from `concierge segments`)."""
        if not customer_id:
            return 0.0
        from tools.models import CustomerSegment

        with self.sessions() as db:
            seg = db.get(CustomerSegment, customer_id)
        return {"champions": 20.0, "loyal": 12.0, "occasional": 6.0, "lapsed": 3.0}.get(seg.segment if seg else "", 0.0)

    def customer_name(self, customer_id: str | None) -> str | None:
        if not customer_id:
            return None
        from tools.models import Customer

        with self.sessions() as db:
            c = db.get(Customer, customer_id)
            return f"{c.first_name} {c.last_name}" if c else None

    def customer_profile_and_orders(self, customer_id: str | None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """What staff see of the conversation's customer: profile and orders, newest first."""
        if not customer_id:
            return None, []
        from tools.models import Order
        from tools.records import customer_profile, order_record

        with self.sessions() as db:
            profile = customer_profile(db, customer_id)
            orders = db.scalars(select(Order).where(Order.customer_id == customer_id)
                                .order_by(Order.placed_at.desc()))
            return profile, [order_record(o) for o in orders]

    def audit_for_session(self, session_id: str, *, actor: str | None = None) -> list[dict[str, Any]]:
        from tools import audit

        with self.sessions() as db:
            rows = [audit.entry_record(e) for e in audit.tail(db, limit=200, session_id=session_id)]
        return [r for r in rows if actor is None or r["actor"] == actor]

    def retriever_or_none(self):  # type: ignore[no-untyped-def]
        """The retrieval port if this process built it (suggestions are a help, not a dependency)."""
        return self.__dict__.get("retriever")

    # ------------------------------------------------------------------ handoff
    @cached_property
    def staff(self):  # type: ignore[no-untyped-def]
        from server.staff import StaffDirectory

        _ = self.conversations  # migrated
        return StaffDirectory(self.sessions)

    @cached_property
    def handoff_policy(self):  # type: ignore[no-untyped-def]
        from agent.handoff import ALL_KINDS, HandoffPolicy

        s = self.settings
        enabled = frozenset(k.strip() for k in s.handoff_triggers.split(",") if k.strip())
        unknown = enabled - set(ALL_KINDS)
        if unknown:
            raise ValueError(f"CONCIERGE_HANDOFF_TRIGGERS: unknown kinds {sorted(unknown)}; known: {ALL_KINDS}")
        return HandoffPolicy(max_failures=s.handoff_max_failures, strong_negative=s.handoff_strong_negative,
                             sustained_negative_turns=s.handoff_sustained_negative_turns,
                             refund_threshold=s.handoff_refund_threshold, llm_down_turns=s.handoff_llm_down_turns,
                             enabled=enabled)

    @cached_property
    def handoff_queue(self):  # type: ignore[no-untyped-def]
        from server.business_hours import BusinessHours
        from server.handoff_queue import HandoffQueue

        hours = BusinessHours.parse(self.settings.handoff_hours, self.settings.handoff_timezone)
        return HandoffQueue(self.sessions, hours, customer_value=self.customer_value,
                            customer_name=self.customer_name,
                            default_handle_s=self.settings.handoff_default_handle_s)

    # ------------------------------------------------------------------ conversations
    @cached_property
    def conversations(self):  # type: ignore[no-untyped-def]
        from server.conversations import ConversationStore, migrate_server

        migrate_server(self.engine)
        return ConversationStore(self.sessions)

    # ------------------------------------------------------------------ privacy
    def _pseudonym_keys(self) -> list[str]:
        configured = self.settings.pseudonym_key.get_secret_value()
        if configured:
            return [k.strip() for k in configured.split(",") if k.strip()]
        path = Path(self.settings.var_dir) / "pseudonym.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(Fernet.generate_key().decode())
            path.chmod(0o600)
        return [path.read_text().strip()]

    @cached_property
    def privacy(self):  # type: ignore[no-untyped-def]
        from privacy import PrivacyConfig, PrivacyService, SqlPseudonymStore

        config = PrivacyConfig(allow_terms=tuple(self.catalog_terms()))
        store = SqlPseudonymStore(self.engine, keys=self._pseudonym_keys(), ttl_seconds=self.settings.pseudonym_ttl_s)
        return PrivacyService(config, store)

    # ------------------------------------------------------------------ LLM and agent
    @cached_property
    def llm_base_url(self) -> str:
        return self.settings.llm_url or f"http://127.0.0.1:{self.settings.embedded_llm_port}/v1"

    @cached_property
    def llm(self):  # type: ignore[no-untyped-def]
        from agent.llm import LLMClient, LLMConfig, make_chat_model

        cfg = LLMConfig(base_url=self.llm_base_url, model=self.settings.llm_model,
                        api_key=self.settings.llm_api_key.get_secret_value(),
                        timeout_s=self.settings.llm_timeout_s, max_retries=self.settings.llm_max_retries)
        return LLMClient(make_chat_model(cfg))

    @cached_property
    def checkpointer(self):  # type: ignore[no-untyped-def]
        """LangGraph's saver on the app's own database (SQLite file or PostgreSQL)."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            import sqlite3

            from langgraph.checkpoint.sqlite import SqliteSaver

            conn = sqlite3.connect(url.database or ":memory:", check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            saver = SqliteSaver(conn)
        else:
            from langgraph.checkpoint.postgres import PostgresSaver
            from psycopg.rows import dict_row
            from psycopg_pool import ConnectionPool

            conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
            pool = ConnectionPool(conninfo, min_size=1, max_size=8, open=True,
                                  kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row})
            saver = PostgresSaver(pool)  # type: ignore[arg-type]
            # Instances starting side by side: the saver's CREATE INDEX CONCURRENTLY of two
            # processes can deadlock (PostgreSQL then aborts one). Its setup is idempotent: retry.
            # (A lock around it would deadlock too: CONCURRENTLY waits for every open transaction.)
            import psycopg

            for attempt in range(6):
                try:
                    saver.setup()
                    return saver
                except (psycopg.errors.DeadlockDetected, psycopg.errors.UniqueViolation) as exc:
                    log.warning("checkpointer setup collided with another instance (%s); retrying", exc)
                    time.sleep(0.5 + random.random() * 2**attempt)
        saver.setup()
        return saver

    # ------------------------------------------------------------------ retrieval and NLU
    @cached_property
    def retrieval(self):  # type: ignore[no-untyped-def]
        from server.retrieval_wiring import build_retrieval

        return build_retrieval(self.settings)

    def ensure_indexed(self) -> dict[str, Any]:
        """Index catalog, policies and order history; incremental, so cheap when nothing changed."""
        from server.retrieval_wiring import load_catalog_and_orders

        products, orders, _source = load_catalog_and_orders(self.settings)
        r = self.retrieval
        return {"catalog": r.index_catalog(products), "kb": r.index_kb(), "history": r.index_history(orders)}

    @cached_property
    def retriever(self):  # type: ignore[no-untyped-def]
        from server.adapters import RetrievalPort

        self.ensure_indexed()
        # The first query exports the query encoder to ONNX when no export is cached (seconds):
        # done here, at start-up, not on a shopper's first message.
        self.retrieval.dense.embed_query("warm up")
        return RetrievalPort(self.retrieval)

    @cached_property
    def nlu(self):  # type: ignore[no-untyped-def]
        from agent.nlu import NLU

        # One MiniLM per process: the NLU embeds with retrieval's model.
        return NLU(model=self.retrieval.dense, catalog=self.settings.seed_file)

    @cached_property
    def agent(self):  # type: ignore[no-untyped-def]
        import torch

        torch.set_num_threads(self.settings.torch_threads)  # a server answers many short requests
        from agent.engine import Agent
        from agent.respond import ReplyWriter
        from agent.tools_mode import ToolsModeDialogue
        from server.adapters import PrivacyPort

        pseudonymizer = PrivacyPort(self.privacy)
        dialogue = None
        if self.settings.agent_mode == "tools":
            dialogue = ToolsModeDialogue(self.llm, self.tools, pseudonymizer)
        slots = self.settings.llm_max_concurrency or (32 if self.settings.llm_url else 1)
        writer = ReplyWriter(self.llm, pseudonymizer, budget_s=self.settings.llm_reply_budget_s,
                             max_concurrency=slots, queue_wait_s=self.settings.llm_queue_wait_s)
        return Agent(self.tools, self.nlu, writer, checkpointer=self.checkpointer,
                     retriever=self.retriever, pseudonymizer=pseudonymizer, dialogue=dialogue,
                     handoff=self.handoff_policy)

    async def start_gateway(self):  # type: ignore[no-untyped-def]
        """Load the heavy parts off the event loop, then build the gateway inside it: in-process
        hub, locks and presence by default; Redis ones when CONCIERGE_REDIS_URL is set."""
        import asyncio
        import os
        import socket

        from server.chat import Limits
        from server.gateway import Gateway

        agent = await asyncio.to_thread(lambda: self.agent)
        store = await asyncio.to_thread(lambda: self.conversations)
        queue = await asyncio.to_thread(lambda: self.handoff_queue)
        fleet: dict[str, Any] = {}
        if self.settings.redis_url:
            import redis.asyncio as redis

            from server.locks import RedisLocks
            from server.presence import RedisPresence
            from server.redis_hub import RedisHub

            client = redis.from_url(self.settings.redis_url)
            fleet = {"hub": await RedisHub(redis.from_url(self.settings.redis_url)).start(),
                     "locks": RedisLocks(client), "presence": RedisPresence(client)}
        else:
            from server.hub import LocalHub

            fleet = {"hub": LocalHub()}
        gateway = Gateway(store=store, agent=agent, queue=queue, agent_workers=self.settings.agent_workers,
                          identity_secret=self.settings.identity_secret.get_secret_value(),
                          customer_summary=self.customer_summary,
                          limits=Limits(self.settings.chat_messages_per_minute,
                                        self.settings.chat_connections_per_address),
                          instance=f"{socket.gethostname()}:{os.getpid()}",
                          claim_wait_s=self.settings.console_claim_wait_s, **fleet)
        return gateway

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
