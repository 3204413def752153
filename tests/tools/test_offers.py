"""Offers: eligibility with plain-words reasons, consent, the hardship rule, impressions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import Store
from tools import offers, segments
from tools.models import Campaign, Customer, CustomerSegment, OfferImpression
from tools.session import ToolSession

NOAH = "noah_brown_6181"  # one delivered order, Oct 2025: electronics + kitchen + apparel


def noah() -> ToolSession:
    return ToolSession.for_customer(NOAH, verified_by="website_identity")


def test_offers_come_with_their_reason(store: Store) -> None:
    out = store.tools.call(noah(), "get_offers", {})
    assert out.ok
    by_id = {o["campaign_id"]: o for o in out.result}
    assert by_id["kitchen-upgrade-10"]["reason"].startswith("because you bought an electric kettle in ")
    assert "winback-20" in by_id and by_id["winback-20"]["reason"].startswith("because your last order was in")
    assert "outdoor-spring-15" not in by_id  # never bought anything outdoors


def test_opted_out_customers_get_no_marketing_offers(store: Store) -> None:
    with store.sessions.begin() as db:
        db.get(Customer, "yusuf_rossi_9620").consent.granted = False
    out = store.tools.call(ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity"),
                           "get_offers", {})
    assert out.ok and out.result and all(not o["marketing"] for o in out.result)
    assert [o["campaign_id"] for o in out.result] == ["pending-order-care"]


def test_customers_in_hardship_get_no_marketing_offers(store: Store) -> None:
    with store.sessions.begin() as db:
        db.get(Customer, NOAH).hardship = True
    out = store.tools.call(noah(), "get_offers", {})
    assert out.ok and out.result == []


@pytest.mark.parametrize("field", ["gift_card_balance", "refund_count", "payment_failures", "hardship"])
def test_no_campaign_can_target_hardship(field: str) -> None:
    with pytest.raises(offers.CampaignRuleError, match="never targets hardship"):
        offers.validate_rule({field: 10})


@pytest.mark.parametrize("status", ["cancelled", "return requested", "anything else", ["pending"]])
def test_has_status_may_not_single_out_cancellations_or_refunds(status: object) -> None:
    with pytest.raises(offers.CampaignRuleError, match="never targets hardship"):
        offers.validate_rule({"has_status": status})


@pytest.mark.parametrize("status", sorted(offers.TARGETABLE_STATUSES))
def test_has_status_accepts_orders_going_ahead(status: str) -> None:
    offers.validate_rule({"has_status": status})


def _campaign(db, cid: str, status: str) -> None:  # type: ignore[no-untyped-def]
    """Written straight into the table, as an operator's SQL would: no validation on the way in."""
    db.add(Campaign(id=cid, name=cid, kind="test", description="", discount_percent=10,
                    rule={"has_status": status}, marketing=True))


def test_a_campaign_that_skipped_validation_still_cannot_target_refunds(store: Store) -> None:
    with store.sessions.begin() as db:
        noah_order = db.get(Customer, NOAH).orders[0]
        noah_order.status = "return requested"
        _campaign(db, "refund-chasers", "return requested")
        _campaign(db, "returns-are-fine", "exchange requested")
    out = store.tools.call(noah(), "get_offers", {})
    assert out.ok and "refund-chasers" not in {o["campaign_id"] for o in out.result}
    with store.sessions.begin() as db:
        db.get(Customer, NOAH).orders[0].status = "exchange requested"
    out = store.tools.call(noah(), "get_offers", {})
    by_id = {o["campaign_id"]: o for o in out.result}
    assert "refund-chasers" not in by_id and by_id["returns-are-fine"]["reason"].endswith("is exchange requested")


def test_unknown_rule_fields_are_rejected() -> None:
    with pytest.raises(offers.CampaignRuleError, match="Unknown campaign rule field"):
        offers.validate_rule({"zodiac_sign": "leo"})


def test_each_offer_shown_is_recorded_with_its_arm(store: Store) -> None:
    s = noah()
    out = store.tools.call(s, "get_offers", {})
    with store.sessions() as db:
        rows = db.scalars(select(OfferImpression).where(OfferImpression.session_id == s.session_id)).all()
    shown = {r.campaign_id for r in rows if r.arm == "shown"}
    assert shown == {o["campaign_id"] for o in out.result}
    assert all(r.customer_id == NOAH and r.reason.startswith("because") for r in rows)


def test_holdout_customers_are_recorded_but_not_shown(store: Store) -> None:
    with store.sessions.begin() as db:
        db.get(Campaign, "winback-20").holdout_percent = 100
    s = noah()
    out = store.tools.call(s, "get_offers", {})
    assert "winback-20" not in {o["campaign_id"] for o in out.result}
    with store.sessions() as db:
        arms = {r.campaign_id: r.arm for r in db.scalars(
            select(OfferImpression).where(OfferImpression.session_id == s.session_id))}
    assert arms["winback-20"] == "holdout"


def test_segments_rank_customers_by_value(store: Store) -> None:
    now = datetime.now(timezone.utc)
    with store.sessions.begin() as db:
        counts = segments.recompute(db, now)
    assert set(counts) <= {*segments.SEGMENT_NAMES, segments.NO_ORDERS} and sum(counts.values()) == 500
    with store.sessions() as db:
        rows = db.scalars(select(CustomerSegment)).all()
    by = {name: [r for r in rows if r.segment == name] for name in segments.SEGMENT_NAMES}
    mean = lambda rs, f: sum(float(getattr(r, f)) for r in rs) / len(rs)  # noqa: E731
    assert mean(by["champions"], "monetary") > mean(by["lapsed"], "monetary")
    assert mean(by["champions"], "recency_days") < mean(by["lapsed"], "recency_days")
    assert all(r.favourite_categories for r in rows if r.frequency > 0)


def test_segment_offers_follow_the_recomputed_segment(store: Store) -> None:
    with store.sessions.begin() as db:
        segments.recompute(db, datetime.now(timezone.utc))
    with store.sessions() as db:
        champion = db.scalar(select(CustomerSegment.customer_id).where(CustomerSegment.segment == "champions"))
        lapsed = db.scalar(select(CustomerSegment.customer_id).where(CustomerSegment.segment == "lapsed"))
        now = datetime.now(timezone.utc)
        assert "champions-early-access" in {o.campaign_id for o in offers.eligible_offers(db, champion, now)}
        assert "champions-early-access" not in {o.campaign_id for o in offers.eligible_offers(db, lapsed, now)}
