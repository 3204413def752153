"""Identity comes from the session: lookups authenticate, everything else is the customer's own."""

from __future__ import annotations

import pytest

from tests.conftest import Store
from tools.session import ToolSession

NOAH = "noah_brown_6181"
YUSUF = "yusuf_rossi_9620"


def test_account_tools_refuse_an_unverified_session(store: Store) -> None:
    s = ToolSession()
    for tool, args in [("get_order_details", {"order_id": "#W7678072"}),
                       ("get_user_details", {"user_id": NOAH}),
                       ("cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"}),
                       ("get_offers", {})]:
        out = store.tools.call(s, tool, args)
        assert not out.ok and out.code == "authentication_required", tool
        assert "email" in (out.error or "")


def test_catalog_tools_need_no_identity(store: Store) -> None:
    out = store.tools.call(ToolSession(), "get_product_details", {"product_id": "1656367028"})
    assert out.ok and out.result["name"] == "Mechanical Keyboard"


def test_email_lookup_authenticates_the_session(store: Store) -> None:
    s = ToolSession()
    out = store.tools.call(s, "find_user_id_by_email", {"email": "Noah.Brown7922@example.com"})
    assert out.ok and out.result == NOAH
    assert s.customer_id == NOAH and s.verified_by == "email"
    order = store.tools.call(s, "get_order_details", {"order_id": "#W7678072"})
    assert order.ok and order.result["status"] == "delivered"


def test_name_zip_lookup_is_case_and_accent_insensitive_but_zip_exact(store: Store) -> None:
    s = ToolSession()
    assert store.tools.call(s, "find_user_id_by_name_zip",
                            {"first_name": "nóah", "last_name": "BROWN", "zip": "80279"}).result == NOAH
    wrong_zip = store.tools.call(ToolSession(), "find_user_id_by_name_zip",
                                 {"first_name": "Noah", "last_name": "Brown", "zip": "80278"})
    assert not wrong_zip.ok and wrong_zip.error == "User not found"


def test_another_customers_order_is_refused_without_its_data(store: Store) -> None:
    s = ToolSession.for_customer(NOAH, verified_by="website_identity")
    out = store.tools.call(s, "get_order_details", {"order_id": "#W2378156"})  # Yusuf's order
    assert not out.ok and out.code == "forbidden"
    assert out.result is None and "763 Broadway" not in (out.error or "")


def test_another_customers_profile_and_writes_are_refused(store: Store) -> None:
    s = ToolSession.for_customer(NOAH, verified_by="website_identity")
    assert store.tools.call(s, "get_user_details", {"user_id": YUSUF}).code == "forbidden"
    cancel = store.tools.call(s, "cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"})
    assert cancel.code == "forbidden"
    s2 = ToolSession.for_customer(YUSUF, verified_by="website_identity")
    assert store.tools.call(s2, "get_order_details", {"order_id": "#W6247578"}).result["status"] == "pending"


def test_someone_elses_payment_method_is_not_found(store: Store) -> None:
    s = ToolSession.for_customer(YUSUF, verified_by="website_identity")
    out = store.tools.call(s, "modify_pending_order_payment",
                           {"order_id": "#W6247578", "payment_method_id": "paypal_5727330"})  # Noah's
    assert not out.ok and out.error == "Payment method not found"


def test_one_customer_per_conversation(store: Store) -> None:
    s = ToolSession()
    assert store.tools.call(s, "find_user_id_by_email", {"email": "noah.brown7922@example.com"}).ok
    second = store.tools.call(s, "find_user_id_by_name_zip",
                              {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"})
    assert not second.ok and second.code == "policy" and "one customer" in (second.error or "")
    assert s.customer_id == NOAH


@pytest.mark.parametrize("actor", ["agent", "staff:alice"])
def test_the_actor_is_recorded_in_the_audit_log(store: Store, actor: str) -> None:
    from tools import audit

    s = ToolSession.for_customer(NOAH, verified_by="staff" if actor.startswith("staff") else "website_identity",
                                 actor=actor)
    store.tools.call(s, "get_user_details", {"user_id": NOAH})
    with store.sessions() as db:
        last = audit.tail(db, limit=1, session_id=s.session_id)[0]
    assert (last.actor, last.tool, last.customer_id, last.ok) == (actor, "get_user_details", NOAH, True)
