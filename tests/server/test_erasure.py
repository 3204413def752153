"""Right to erasure across the stores: conversations, pseudonym maps, history vectors, audit PII."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from server.container import Container
from server.erasure import erased_id, forget_customer
from server.settings import Settings
from tools.models import AuditEntry
from tools.session import ToolSession

NOAH = "noah_brown_6181"


@pytest.fixture
def container(sqlite_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    c = Container(Settings(database_url=sqlite_url, var_dir=tmp_path))
    yield c
    c.close()


def test_forget_removes_the_customer_everywhere_but_keeps_audit_rows(container: Container) -> None:
    from retrieval.tau2_adapter import order_from_record

    session = ToolSession.for_customer(NOAH, verified_by="website_identity", session_id="conv-noah")
    order = container.tools.call(session, "get_order_details", {"order_id": "#W7678072"}).result
    conv = container.conversations.create(customer_id=NOAH, verified_by="website_identity")
    container.conversations.append(conv.id, "shopper", "my email is noah.brown7922@example.com")
    privacy = container.privacy.conversation(conv.id, customer_id=NOAH)
    assert "<EMAIL_ADDRESS_1>" in privacy.scrub("my email is noah.brown7922@example.com")
    container.retrieval.reindex_customer_history(NOAH, [order_from_record(order)])
    assert container.retrieval.search("kettle", "history", customer_id=NOAH, k=3)

    outcome = forget_customer(container, NOAH)

    assert outcome["conversations_deleted"] == 1 and outcome["pseudonym_maps_deleted"] == 1
    assert outcome["history_points_deleted"] >= 1 and outcome["audit_rows_redacted"] >= 1
    assert container.conversations.get(conv.id) is None
    assert container.retrieval.search("kettle", "history", customer_id=NOAH, k=3) == []
    assert container.privacy.conversation(conv.id).restore("<EMAIL_ADDRESS_1>") == "<EMAIL_ADDRESS_1>"
    with container.sessions() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.session_id == "conv-noah")).all()
    assert rows and all(r.customer_id == erased_id(NOAH) and r.result is None and r.redacted_at for r in rows)
    assert all("#W7678072" not in str(r.arguments) for r in rows)
    with pytest.raises(DBAPIError, match="append-only"):  # redacted once; never changed again
        with container.sessions.begin() as db:
            db.execute(update(AuditEntry).where(AuditEntry.session_id == "conv-noah").values(error="x"))
