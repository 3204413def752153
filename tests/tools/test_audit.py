"""The audit log: every tool call, written with the change it records, and append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import Store
from tools import audit
from tools.models import AuditEntry, Order
from tools.session import ToolSession


def test_a_write_and_its_audit_row_share_one_transaction(store: Store) -> None:
    s = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity", actor="agent")
    out = store.tools.call(s, "cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"})
    assert out.ok
    with store.sessions() as db:
        row = audit.tail(db, limit=1, session_id=s.session_id)[0]
        order = db.get(Order, "#W6247578")
    assert row.write and row.ok and row.arguments == {"order_id": "#W6247578", "reason": "no longer needed"}
    assert row.result["status"] == "cancelled" == order.status
    assert row.at == order.updated_at or abs((row.at - order.updated_at).total_seconds()) < 1


def test_reads_are_audited_too(store: Store) -> None:
    s = ToolSession()
    store.tools.call(s, "list_all_product_types", {})
    store.tools.call(s, "get_item_details", {"item_id": "1151293680"})
    with store.sessions() as db:
        tools = [e.tool for e in audit.tail(db, session_id=s.session_id)]
    assert tools == ["list_all_product_types", "get_item_details"]


def test_audit_rows_cannot_be_changed_or_deleted(store: Store) -> None:
    s = ToolSession()
    store.tools.call(s, "calculate", {"expression": "1+1"})
    with pytest.raises(DBAPIError, match="append-only"):
        with store.sessions.begin() as db:
            db.execute(update(AuditEntry).where(AuditEntry.session_id == s.session_id).values(ok=False))
    with pytest.raises(DBAPIError, match="append-only"):
        with store.sessions.begin() as db:
            db.execute(delete(AuditEntry))
    with store.sessions() as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.session_id == s.session_id)) == 1


def test_a_dry_run_checks_everything_but_writes_nothing(store: Store) -> None:
    s = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity")
    args = {"order_id": "#W6247578", "reason": "no longer needed"}
    trial = store.tools.call(s, "cancel_pending_order", args, dry_run=True)
    assert trial.ok and trial.result["status"] == "cancelled"
    refused = store.tools.call(s, "cancel_pending_order", {**args, "order_id": "#W2378156"}, dry_run=True)
    assert not refused.ok and refused.code == "policy"
    with store.sessions() as db:
        assert db.get(Order, "#W6247578").status == "pending"
        tools = [e.tool for e in audit.tail(db, session_id=s.session_id)]
    assert tools == ["cancel_pending_order (dry run)", "cancel_pending_order"]
