"""Right to erasure: one customer's conversations, pseudonym maps and history vectors go; the
audit log keeps its rows, with their PII blanked (the one change its triggers allow)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from server.container import Container
from tools.models import AuditEntry


def erased_id(customer_id: str) -> str:
    return "erased:" + hashlib.sha256(customer_id.encode()).hexdigest()[:16]


def redact_audit(container: Container, customer_id: str) -> int:
    now = datetime.now(timezone.utc)
    with container.sessions.begin() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.customer_id == customer_id,
                                                   AuditEntry.redacted_at.is_(None))).all()
        for row in rows:
            row.arguments = {"redacted": sorted(row.arguments)} if isinstance(row.arguments, dict) else {}
            row.result = None
            row.error = row.error.split(":", 1)[0] if row.error else None  # keep the error code only
            row.customer_id = erased_id(customer_id)
            row.redacted_at = now
        return len(rows)


def forget_customer(container: Container, customer_id: str) -> dict[str, Any]:
    """Erase everything Concierge keeps about a customer outside the CRM's own records."""
    return {
        "customer_id": customer_id,
        "conversations_deleted": container.conversations.forget_customer(customer_id),
        "pseudonym_maps_deleted": container.privacy.forget(customer_id),
        "history_points_deleted": container.retrieval.forget_customer(customer_id),
        "audit_rows_redacted": redact_audit(container, customer_id),
    }
