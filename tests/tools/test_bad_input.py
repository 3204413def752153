"""Bad input gets a clear error the agent can relay, and nothing is half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import Store
from tools.models import AuditEntry, Order
from tools.session import ToolSession

YUSUF = "yusuf_rossi_9620"


def yusuf() -> ToolSession:
    return ToolSession.for_customer(YUSUF, verified_by="website_identity")


@pytest.mark.parametrize("args, expected", [
    ({}, "missing argument 'order_id'"),
    ({"order_id": "#W6247578", "reason": "no longer needed", "refund_to": "x"}, "unexpected argument 'refund_to'"),
    ({"order_id": 6247578, "reason": "no longer needed"}, "'order_id': Input should be a valid string"),
    ({"order_id": "#W6247578", "reason": ["no longer needed"]}, "'reason': Input should be a valid string"),
])
def test_missing_extra_and_mistyped_arguments(store: Store, args: dict, expected: str) -> None:
    out = store.tools.call(yusuf(), "cancel_pending_order", args)
    assert not out.ok and out.code == "invalid_arguments"
    assert expected in out.error and out.error.startswith("Invalid arguments for cancel_pending_order")


@pytest.mark.parametrize("order_id", ["#W0000000", "W6247578", "#W6247578'; DROP TABLE orders;--", "💥"])
def test_unknown_or_malformed_order_ids(store: Store, order_id: str) -> None:
    out = store.tools.call(yusuf(), "get_order_details", {"order_id": order_id})
    assert not out.ok and out.error == "Order not found"


def test_unknown_tool_names_the_available_ones(store: Store) -> None:
    out = store.tools.call(yusuf(), "refund_everything", {})
    assert not out.ok and "Unknown tool 'refund_everything'" in out.error and "cancel_pending_order" in out.error


def test_arguments_that_are_not_an_object(store: Store) -> None:
    out = store.tools.call(yusuf(), "get_order_details", ["#W6247578"])  # type: ignore[arg-type]
    assert not out.ok and "missing argument 'order_id'" in out.error


def test_empty_and_oversized_lists(store: Store) -> None:
    base = {"order_id": "#W2378156", "payment_method_id": "credit_card_9513926"}
    empty = store.tools.call(yusuf(), "return_delivered_order_items", {**base, "item_ids": []})
    assert empty.code == "invalid_arguments"
    huge = store.tools.call(yusuf(), "return_delivered_order_items", {**base, "item_ids": ["1"] * 500})
    assert huge.code == "invalid_arguments"


def test_items_not_in_the_order_leave_it_untouched(store: Store) -> None:
    out = store.tools.call(yusuf(), "exchange_delivered_order_items",
                           {"order_id": "#W2378156", "item_ids": ["1151293680", "1151293680"],
                            "new_item_ids": ["7706410293", "7706410293"], "payment_method_id": "credit_card_9513926"})
    assert not out.ok and out.error == "Number of 1151293680 not found."
    with store.sessions() as db:
        assert db.get(Order, "#W2378156").status == "delivered"


def test_a_failure_midway_writes_nothing(store: Store) -> None:
    """Cancel refunds each payment; a later failure (unknown payment method) must undo the earlier steps."""
    from tools.models import Payment

    with store.sessions.begin() as db:  # corrupt one order: a second payment by a method the customer lacks
        order = db.get(Order, "#W6247578")
        order.payments.append(Payment(position=1, transaction_type="payment", amount=1, payment_method_id="gift_card_x"))
    out = store.tools.call(yusuf(), "cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"})
    assert not out.ok and out.error == "Payment method not found"
    with store.sessions() as db:
        order = db.get(Order, "#W6247578")
        assert order.status == "pending" and len(order.payments) == 2 and order.cancel_reason is None


def test_every_failure_is_audited_with_its_error(store: Store) -> None:
    s = yusuf()
    store.tools.call(s, "get_order_details", {"order_id": "#W0000000"})
    with store.sessions() as db:
        row = db.scalars(select(AuditEntry).where(AuditEntry.session_id == s.session_id)).one()
    assert (row.tool, row.ok, row.error, row.result) == ("get_order_details", False, "not_found: Order not found", None)


def test_negative_money_is_refused_by_the_database(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    from tools.models import PaymentMethod

    with pytest.raises(IntegrityError):
        with store.sessions.begin() as db:
            db.get(PaymentMethod, "gift_card_4332117").balance = -1
    with store.sessions() as db:
        assert float(db.get(PaymentMethod, "gift_card_4332117").balance) == 86.0
        assert db.scalar(select(func.count()).select_from(Order)) == 1000


def _audit_rows(store: Store, session: ToolSession) -> list[AuditEntry]:
    with store.sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.session_id == session.session_id)))


@pytest.mark.parametrize("tool, args, field", [
    ("find_user_id_by_email", {"email": "yusuf.rossi\x00@example.com"}, "email"),
    ("get_order_details", {"order_id": "#W6247578\x00"}, "order_id"),
    ("return_delivered_order_items", {"order_id": "#W2378156", "item_ids": ["4983901480\x1b"],
                                      "payment_method_id": "credit_card_9513926"}, "item_ids"),
])
def test_control_characters_are_refused_and_audited(store: Store, tool: str, args: dict, field: str) -> None:
    """A NUL byte used to reach PostgreSQL (which cannot store it) and crash the call."""
    s = yusuf()
    out = store.tools.call(s, tool, args)
    assert not out.ok and out.code == "invalid_arguments"
    assert f"'{field}': must not contain control characters" in out.error
    [row] = _audit_rows(store, s)
    assert (row.tool, row.ok) == (tool, False) and row.error.startswith("invalid_arguments: ")


def test_line_breaks_in_free_text_are_still_accepted(store: Store) -> None:
    out = store.tools.call(yusuf(), "transfer_to_human_agents", {"summary": "Wants a refund.\nOrder #W2378156."})
    assert out.ok


def test_a_garbled_tool_name_is_refused_and_still_audited(store: Store) -> None:
    s = yusuf()
    out = store.tools.call(s, "get_order\x00details" + "x" * 200, {})
    assert not out.ok and out.code == "invalid_arguments" and "Unknown tool" in out.error
    [row] = _audit_rows(store, s)
    assert row.tool.startswith("get_order\ufffddetails") and len(row.tool) == 64 and not row.ok


def _refuse_cancellations(store: Store) -> None:
    """A rule of the retailer's own database, unknown to the tool layer: no more cancellations."""
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER no_cancel BEFORE UPDATE OF status ON orders WHEN NEW.status = 'cancelled' "
                "BEGIN SELECT RAISE(ABORT, 'cancellations are frozen'); END")
        else:
            conn.exec_driver_sql("ALTER TABLE orders ADD CONSTRAINT ck_no_cancel CHECK (status <> 'cancelled') "
                                 "NOT VALID")


def test_a_write_the_database_refuses_is_a_clear_error_not_a_crash(store: Store) -> None:
    _refuse_cancellations(store)
    s = yusuf()
    out = store.tools.call(s, "cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"})
    assert not out.ok and out.code == "conflict" and "nothing was changed" in out.error
    with store.sessions() as db:
        order = db.get(Order, "#W6247578")
        assert order.status == "pending" and len(order.payments) == 1 and order.cancel_reason is None
    [row] = _audit_rows(store, s)
    assert (row.tool, row.ok, row.write) == ("cancel_pending_order", False, True)
    assert row.error.startswith("conflict: ")
    assert store.tools.call(s, "get_order_details", {"order_id": "#W6247578"}).ok  # the session still works


@pytest.mark.postgres
def test_a_value_postgresql_cannot_hold_is_a_clear_error(pg_url: str) -> None:
    """numeric(12,2) overflows when a refund lands on an enormous gift-card balance (psycopg DataError)."""
    from decimal import Decimal

    from tests.conftest import _store
    from tools.models import PaymentMethod

    store = _store(pg_url)
    try:
        with store.sessions.begin() as db:
            db.get(PaymentMethod, "gift_card_7219486").balance = Decimal("9999999999.00")
        s = ToolSession.for_customer("ethan_lopez_6291", verified_by="website_identity")
        out = store.tools.call(s, "cancel_pending_order", {"order_id": "#W6779827", "reason": "ordered by mistake"})
        assert not out.ok and out.code == "invalid_arguments" and "nothing was changed" in out.error
        with store.sessions() as db:
            assert db.get(Order, "#W6779827").status == "pending"
            assert db.get(PaymentMethod, "gift_card_7219486").balance == Decimal("9999999999.00")
        [row] = _audit_rows(store, s)
        assert not row.ok and row.error.startswith("invalid_arguments: ")
    finally:
        store.engine.dispose()
