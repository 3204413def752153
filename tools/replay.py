"""Replay τ²-bench tasks' gold actions through the tool layer and report what changed.

Each task runs on a fresh copy of the seeded store (a copied SQLite file), in one tool session.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, selectinload

from tools.crm import registry as crm_registry
from tools.db import make_engine, make_sessionmaker
from tools.models import Customer, Order, Product
from tools.records import order_record, product_record, user_record
from tools.registry import ToolRegistry
from tools.seed import DEFAULT_SEED, seed
from tools.service import ToolService
from tools.session import ToolSession

LOOKUPS = ("find_user_id_by_email", "find_user_id_by_name_zip")


def snapshot(db: Session) -> dict[str, dict[str, Any]]:
    """The whole store in τ² `db.json` layout."""
    users = db.scalars(select(Customer).options(
        selectinload(Customer.addresses), selectinload(Customer.payment_methods), selectinload(Customer.orders)))
    orders = db.scalars(select(Order).options(
        selectinload(Order.items), selectinload(Order.fulfillments), selectinload(Order.payments)))
    products = db.scalars(select(Product).options(selectinload(Product.variants)))
    return {
        "orders": {o.id: order_record(o) for o in orders},
        "users": {u.id: user_record(u) for u in users},
        "products": {p.id: product_record(p) for p in products},
    }


def diff(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {kind: {k: v for k, v in after[kind].items() if before[kind].get(k) != v} for kind in after}


def initial_identity(actions: list[dict[str, Any]], db: Session) -> str | None:
    """τ² omits the identification steps of some tasks; start as the owner they imply."""
    if not actions or actions[0]["name"] in LOOKUPS:
        return None
    for action in actions:
        args = action.get("arguments") or {}
        if isinstance(args.get("order_id"), str):
            order = db.get(Order, args["order_id"])
            if order is not None:
                return order.customer_id
        if isinstance(args.get("user_id"), str) and db.get(Customer, args["user_id"]) is not None:
            return args["user_id"]
    return None


class Replayer:
    """Seeds a template store once, then replays each task on a copy of it."""

    def __init__(self, workdir: Path, seed_file: Path = DEFAULT_SEED,
                 registry: ToolRegistry = crm_registry) -> None:
        self.workdir = workdir
        self.registry = registry
        self.template = workdir / "template.db"
        engine = make_engine(f"sqlite:///{self.template}")
        seed(engine, seed_file)
        with engine.begin() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        with make_sessionmaker(engine)() as db:
            self.seed_snapshot = snapshot(db)
        engine.dispose()

    def run(self, task: dict[str, Any]) -> dict[str, Any]:
        path = self.workdir / f"task-{task['id']}.db"
        shutil.copyfile(self.template, path)
        engine = make_engine(f"sqlite:///{path}")
        try:
            return self._run_on(engine, task)
        finally:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    def _run_on(self, engine: Engine, task: dict[str, Any]) -> dict[str, Any]:
        sessions = make_sessionmaker(engine)
        service = ToolService(sessions, self.registry)
        actions = (task.get("evaluation_criteria") or {}).get("actions") or []
        with sessions() as db:
            owner = initial_identity(actions, db)
        session = ToolSession(session_id=f"tau2-{task['id']}", actor="replay")
        if owner is not None:
            session = ToolSession.for_customer(owner, verified_by="replay", actor="replay",
                                               session_id=session.session_id)
        results = []
        for action in actions:
            outcome = service.call(session, action["name"], action.get("arguments") or {})
            results.append({"name": action["name"], "arguments": action.get("arguments") or {},
                            "ok": outcome.ok, "result_or_error": outcome.result_or_error})
        with sessions() as db:
            changed = diff(self.seed_snapshot, snapshot(db))
        return {"task_id": str(task["id"]), "actions": results, "changed": changed}


def replay_tasks(tasks: Iterable[dict[str, Any]], seed_file: Path = DEFAULT_SEED,
                 progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="concierge-replay-") as tmp:
        replayer = Replayer(Path(tmp), seed_file)
        out = []
        for task in tasks:
            out.append(replayer.run(task))
            if progress:
                progress(1)
        return out


def load_tasks(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text())
    return data if isinstance(data, list) else list(data.get("tasks", data.values()))
