"""The store policy, enforced by the tools themselves, and money exact to the cent."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import Store
from tools.models import Order, PaymentMethod
from tools.session import ToolSession

MIA = "mia_moore_8366"          # gift card gift_card_7471275 (balance 70.00)
PENDING_GC = "#W3130288"        # pending, paid 2101.83 by that gift card
DELIVERED = "#W5544629"         # delivered, paid with paypal_5181300
CANCELLED = "#W8377068"


def mia() -> ToolSession:
    return ToolSession.for_customer(MIA, verified_by="website_identity")


def balance(store: Store, pm: str) -> Decimal:
    with store.sessions() as db:
        return db.get(PaymentMethod, pm).balance


def test_cancel_refunds_a_gift_card_at_once(store: Store) -> None:
    out = store.tools.call(mia(), "cancel_pending_order", {"order_id": PENDING_GC, "reason": "ordered by mistake"})
    assert out.ok and out.result["status"] == "cancelled" and out.result["cancel_reason"] == "ordered by mistake"
    assert out.result["payment_history"][-1] == {"transaction_type": "refund", "amount": 2101.83,
                                                 "payment_method_id": "gift_card_7471275"}
    assert balance(store, "gift_card_7471275") == Decimal("2171.83")


def test_cancel_needs_an_accepted_reason(store: Store) -> None:
    out = store.tools.call(mia(), "cancel_pending_order", {"order_id": PENDING_GC, "reason": "found it cheaper"})
    assert not out.ok and out.error == "Invalid reason"


def test_delivered_and_cancelled_orders_cannot_be_cancelled(store: Store) -> None:
    for order_id in (DELIVERED, CANCELLED):
        out = store.tools.call(mia(), "cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"})
        assert not out.ok and out.code == "policy" and out.error == "Non-pending order cannot be cancelled"


def test_a_write_on_a_cancelled_order_changes_nothing(store: Store) -> None:
    with store.sessions() as db:
        before = db.get(Order, CANCELLED).version
    for tool, args in [("modify_pending_order_address", {"order_id": CANCELLED, "address1": "1 A St", "address2": "",
                                                          "city": "X", "state": "CA", "country": "USA", "zip": "90000"}),
                       ("return_delivered_order_items", {"order_id": CANCELLED, "item_ids": ["2751999929"],
                                                         "payment_method_id": "credit_card_2641784"})]:
        assert store.tools.call(mia(), tool, args).code == "policy"
    with store.sessions() as db:
        order = db.get(Order, CANCELLED)
        assert order.version == before and order.city != "X" and order.status == "cancelled"


def test_return_refund_goes_to_original_method_or_a_gift_card(store: Store) -> None:
    refused = store.tools.call(mia(), "return_delivered_order_items",
                               {"order_id": DELIVERED, "item_ids": ["6735339143"],
                                "payment_method_id": "credit_card_2641784"})
    assert not refused.ok and refused.error == "Payment method should be the original payment method"
    ok = store.tools.call(mia(), "return_delivered_order_items",
                          {"order_id": DELIVERED, "item_ids": ["6735339143"], "payment_method_id": "gift_card_7471275"})
    assert ok.ok and ok.result["status"] == "return requested" and ok.result["return_items"] == ["6735339143"]


def test_gift_card_must_cover_a_payment_change(store: Store) -> None:
    s = ToolSession.for_customer("ethan_garcia_1261", verified_by="website_identity")
    out = store.tools.call(s, "modify_pending_order_payment",
                           {"order_id": "#W9911714", "payment_method_id": "gift_card_4332117"})
    assert not out.ok and out.error == "Insufficient gift card balance to pay for the order"
    assert balance(store, "gift_card_4332117") == Decimal("86.00")


def test_modify_items_only_to_an_available_variant_of_the_same_product(store: Store) -> None:
    s = ToolSession.for_customer("ethan_garcia_1261", verified_by="website_identity")
    base = {"order_id": "#W9911714", "item_ids": ["1340995114"], "payment_method_id": "paypal_3798357"}
    other_product = store.tools.call(s, "modify_pending_order_items", {**base, "new_item_ids": ["6469567736"]})
    assert not other_product.ok and other_product.error == "Variant not found"
    unavailable = store.tools.call(s, "modify_pending_order_items", {**base, "new_item_ids": ["9025753381"]})
    assert not unavailable.ok and "not found or available" in unavailable.error
    ok = store.tools.call(s, "modify_pending_order_items", {**base, "new_item_ids": ["7706410293"]})
    assert ok.ok and ok.result["status"] == "pending (item modified)"
    line = next(i for i in ok.result["items"] if i["item_id"] == "7706410293")
    assert line["price"] == 269.16 and line["options"]["switch type"] == "clicky"
    assert ok.result["payment_history"][-1] == {"transaction_type": "payment", "amount": 34.03,
                                                "payment_method_id": "paypal_3798357"}
    again = store.tools.call(s, "modify_pending_order_items", {**base, "item_ids": ["7706410293"],
                                                               "new_item_ids": ["1151293680"]})
    assert not again.ok and again.error == "Non-pending order cannot be modified"


def test_exchange_records_the_price_difference(store: Store) -> None:
    s = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity")
    out = store.tools.call(s, "exchange_delivered_order_items",
                           {"order_id": "#W2378156", "item_ids": ["1151293680", "4983901480"],
                            "new_item_ids": ["7706410293", "7747408585"], "payment_method_id": "credit_card_9513926"})
    assert out.ok and out.result["status"] == "exchange requested"
    assert out.result["exchange_price_difference"] == -16.63


def test_modify_user_address_changes_the_default_address(store: Store) -> None:
    s = ToolSession.for_customer("noah_brown_6181", verified_by="website_identity")
    out = store.tools.call(s, "modify_user_address", {"user_id": "noah_brown_6181", "address1": "1 Elm St",
                                                      "address2": "", "city": "Boulder", "state": "CO",
                                                      "country": "USA", "zip": "80301"})
    assert out.ok and out.result["address"]["city"] == "Boulder"
    assert store.tools.call(s, "get_user_details", {"user_id": "noah_brown_6181"}).result["address"]["zip"] == "80301"


def test_calculate_is_safe_arithmetic(store: Store) -> None:
    s = ToolSession()
    assert store.tools.call(s, "calculate", {"expression": "(269.16 - 272.33) + 10"}).result == "6.83"
    assert store.tools.call(s, "calculate", {"expression": "__import__('os')"}).error == "Invalid characters in expression"
    assert store.tools.call(s, "calculate", {"expression": "1/0"}).error == "Division by zero"
    assert store.tools.call(s, "calculate", {"expression": "2**10"}).error == "Invalid expression"
