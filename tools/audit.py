"""The audit log: one append-only row per tool call."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tools.models import AuditEntry
from tools.session import ToolSession


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


TOOL_NAME_MAX = 64  # the column's width: a model may invent any name


def _storable(text: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; a garbled tool name must still be audited."""
    return text.replace("\x00", "\ufffd") if text is not None else None


def record(db: Session, session: ToolSession, *, tool: str, arguments: dict[str, Any], ok: bool,
           result: Any = None, error: str | None = None, write: bool = False,
           at: datetime | None = None) -> AuditEntry:
    entry = AuditEntry(
        session_id=session.session_id,
        actor=session.actor,
        customer_id=session.customer_id,
        tool=(_storable(tool) or "")[:TOOL_NAME_MAX],
        arguments=_jsonable(arguments),
        ok=ok,
        result=_jsonable(result) if ok else None,
        error=_storable(error),
        write=write,
    )
    if at is not None:
        entry.at = at
    db.add(entry)
    return entry


def tail(db: Session, *, limit: int = 20, customer_id: str | None = None,
         session_id: str | None = None) -> list[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if customer_id:
        q = q.where(AuditEntry.customer_id == customer_id)
    if session_id:
        q = q.where(AuditEntry.session_id == session_id)
    return list(reversed(db.scalars(q).all()))


def entry_record(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.isoformat() if e.at else None,
        "session_id": e.session_id,
        "actor": e.actor,
        "customer_id": e.customer_id,
        "tool": e.tool,
        "arguments": e.arguments,
        "ok": e.ok,
        "result": e.result,
        "error": e.error,
        "write": e.write,
    }
