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
        self._runs = 0
        engine = make_engine(f"sqlite:///{self.template}")
        seed(engine, seed_file)
        with engine.begin() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        with make_sessionmaker(engine)() as db:
            self.seed_snapshot = snapshot(db)
        engine.dispose()

    def run(self, task: dict[str, Any]) -> dict[str, Any]:
        self._runs += 1
        path = self.workdir / f"task-{self._runs}.db"  # not the id: it could hold a path separator
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


class TaskFileError(ValueError):
    """The tasks file is JSON but not τ² tasks; the message says where and what is wrong."""


def _task_label(index: int, task: dict[str, Any]) -> str:
    return f"task {index}" + (f" (id {task['id']!r})" if isinstance(task.get("id"), (str, int)) else "")


def check_task(index: int, task: Any) -> None:
    """Refuse a task the replay could not run, before any task runs."""
    if not isinstance(task, dict):
        raise TaskFileError(f"task {index}: expected an object with 'id' and 'evaluation_criteria', "
                            f"got {type(task).__name__}")
    where = _task_label(index, task)
    if not isinstance(task.get("id"), (str, int)) or isinstance(task.get("id"), bool) or task["id"] == "":
        raise TaskFileError(f"{where}: missing 'id' (a string or a number)")
    criteria = task.get("evaluation_criteria")
    if criteria is not None and not isinstance(criteria, dict):
        raise TaskFileError(f"{where}: 'evaluation_criteria' must be an object")
    actions = (criteria or {}).get("actions")
    if actions is not None and not isinstance(actions, list):
        raise TaskFileError(f"{where}: 'evaluation_criteria.actions' must be a list")
    for n, action in enumerate(actions or []):
        if not isinstance(action, dict):
            raise TaskFileError(f"{where}: action {n} must be an object with 'name' and 'arguments'")
        if not isinstance(action.get("name"), str) or not action["name"]:
            raise TaskFileError(f"{where}: action {n} has no 'name'")
        if action.get("arguments") is not None and not isinstance(action["arguments"], dict):
            raise TaskFileError(f"{where}: action {n} ({action['name']}): 'arguments' must be an object")


def load_tasks(path: Path) -> list[dict[str, Any]]:
    """The tasks of a τ² tasks file: a list, or an object holding them (under "tasks" or as values).

    Raises `json.JSONDecodeError` for a file that is not JSON and `TaskFileError` for JSON that
    is not tasks."""
    data = json.loads(path.read_text())
    if isinstance(data, dict):
        data = data["tasks"] if "tasks" in data else list(data.values())
    if not isinstance(data, list):
        raise TaskFileError(f"expected a JSON list of tasks, got {type(data).__name__}")
    for index, task in enumerate(data):
        check_task(index, task)
    return data
