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
