"""Personalised offers: campaigns with eligibility rules, each offer with its reason in plain
words, marketing consent respected, never targeting hardship, every impression recorded.

The hardship rule (docs/offers.md):
1. Campaign rules may only use the purchase-history fields in `ALLOWED_RULE_FIELDS`. Signals of
   financial difficulty (gift-card balance, refunds, cancellations, payment failures, the
   hardship flag itself) are rejected when a campaign is validated, so no campaign can target them.
2. A customer flagged `hardship` by staff receives no marketing offers at all, only service offers.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tools import schemas as a
from tools.errors import InvalidArguments, NotFound
from tools.models import Campaign, Customer, CustomerSegment, OfferImpression, Order, Product
from tools.registry import ToolContext, ToolRegistry

log = logging.getLogger(__name__)

CAMPAIGNS_FILE = Path(__file__).resolve().parent / "data" / "campaigns.json"

ALLOWED_RULE_FIELDS = {
    "bought_category": "bought something in this category",
    "bought_product": "bought this product (by name)",
    "min_orders": "at least this many orders",
    "min_spend": "at least this much spent in total",
    "min_recency_days": "last order at least this many days ago",
    "max_recency_days": "last order at most this many days ago",
    "segment": "in this RFM segment",
    "has_status": "has an order in this status",
}
HARDSHIP_PROXIES = {"gift_card_balance", "balance", "refunds", "refund_count", "cancellations",
                    "cancellation_count", "payment_failures", "hardship", "credit_limit", "debt"}
# `has_status` may only name statuses of an order going ahead: a cancelled order or a requested
# return (a refund) would single out the same customers as the cancellation and refund proxies.
TARGETABLE_STATUSES = {"pending", "pending (item modified)", "processed", "delivered", "exchange requested"}


class CampaignRuleError(ValueError):
    pass


def validate_rule(rule: dict[str, Any]) -> None:
    for field in rule:
        if field in HARDSHIP_PROXIES:
            raise CampaignRuleError(
                f"Campaign rules may not target '{field}': it signals financial hardship, "
                "and Concierge never targets hardship with offers.")
        if field not in ALLOWED_RULE_FIELDS:
            raise CampaignRuleError(
                f"Unknown campaign rule field '{field}'. Allowed: {', '.join(sorted(ALLOWED_RULE_FIELDS))}.")
        if field == "has_status" and not (isinstance(rule[field], str) and rule[field] in TARGETABLE_STATUSES):
            raise CampaignRuleError(
                f"Campaign rules may not target orders with status {rule[field]!r}: cancellations and "
                "refunds signal financial hardship, and Concierge never targets hardship with offers. "
                f"Allowed: {', '.join(sorted(TARGETABLE_STATUSES))}.")


def load_default_campaigns(db: Session, path: Path = CAMPAIGNS_FILE) -> int:
    """Insert the shipped campaigns that are missing; returns how many were added."""
    added = 0
    for raw in json.loads(path.read_text()):
        validate_rule(raw.get("rule", {}))
        if db.get(Campaign, raw["id"]) is None:
            db.add(Campaign(**raw))
            added += 1
    return added


@dataclass(frozen=True)
class Offer:
    campaign_id: str
    name: str
    description: str
    discount_percent: int
    reason: str
    marketing: bool


@dataclass(frozen=True)
class _Profile:
    customer: Customer
    orders: list[Order]
    segment: str | None
    categories: dict[str, str]


def _months_ago_phrase(when: datetime) -> str:
    return when.strftime("%B %Y")


def _last_order(profile: _Profile) -> Order | None:
    dated = [o for o in profile.orders if o.status != "cancelled" and o.placed_at]
    return max(dated, key=lambda o: o.placed_at) if dated else None  # type: ignore[arg-type,return-value]


def _reason(field: str, value: Any, profile: _Profile, now: datetime) -> str | None:
    """The plain-words reason this condition holds, or None when it does not."""
    orders = [o for o in profile.orders if o.status != "cancelled"]
    if field in ("bought_category", "bought_product"):
        matches = [(o, i) for o in orders for i in o.items
                   if (profile.categories.get(i.product_id) == value if field == "bought_category"
                       else i.name.lower() == str(value).lower())]
        if not matches:
            return None
        o, item = max(matches, key=lambda m: m[0].placed_at or now)
        when = f" in {_months_ago_phrase(o.placed_at)}" if o.placed_at else ""
        noun = item.name.lower()
        article = "an" if noun[:1] in "aeiou" else "a"
        return f"because you bought {article} {noun}{when}"
    if field == "min_orders":
        return f"because you've placed {len(orders)} orders with us" if len(orders) >= int(value) else None
    if field == "min_spend":
        spent = sum(float(p.amount) if p.transaction_type == "payment" else -float(p.amount)
                    for o in orders for p in o.payments)
        return f"because you've shopped with us for over ${int(value):,}" if spent >= float(value) else None
    if field in ("min_recency_days", "max_recency_days"):
        last = _last_order(profile)
        if last is None or last.placed_at is None:
            return None
        placed = last.placed_at if last.placed_at.tzinfo else last.placed_at.replace(tzinfo=now.tzinfo)
        days = (now - placed).days
        if field == "min_recency_days" and days >= int(value):
            return f"because your last order was in {_months_ago_phrase(placed)}"
        if field == "max_recency_days" and days <= int(value):
            return "because you ordered with us recently"
        return None
    if field == "segment":
        return "because you're one of our most valued customers" if profile.segment == value else None
    if field == "has_status":
        hit = next((o for o in orders if o.status == value), None)
        return f"because your order {hit.id} is {value}" if hit else None
    return None


def eligible_offers(db: Session, customer_id: str, now: datetime) -> list[Offer]:
    """Offers this customer may see right now, with reasons; consent and hardship respected."""
    customer = db.get(Customer, customer_id, options=[
        selectinload(Customer.orders).selectinload(Order.items),
        selectinload(Customer.orders).selectinload(Order.payments),
        selectinload(Customer.consent)])
    if customer is None:
        raise NotFound("User not found")
    seg = db.get(CustomerSegment, customer_id)
    profile = _Profile(customer, list(customer.orders), seg.segment if seg else None,
                       dict(db.execute(select(Product.id, Product.category)).all()))
    marketing_ok = bool(customer.consent and customer.consent.granted) and not customer.hardship
    offers = []
    for campaign in db.scalars(select(Campaign).where(Campaign.active.is_(True)).order_by(Campaign.id)):
        if campaign.marketing and not marketing_ok:
            continue
        if not _in_window(campaign, now) or not _valid(campaign):
            continue
        reasons = [_reason(f, v, profile, now) for f, v in campaign.rule.items()]
        if not reasons or any(r is None for r in reasons):
            continue
        offers.append(Offer(campaign.id, campaign.name, campaign.description, campaign.discount_percent,
                            " and ".join(r for r in reasons if r), campaign.marketing))
    return offers


def _valid(campaign: Campaign) -> bool:
    """A campaign written straight into the table skipped validation: it is not offered."""
    try:
        validate_rule(campaign.rule or {})
    except CampaignRuleError as exc:
        log.warning("campaign %s skipped: %s", campaign.id, exc)
        return False
    return True


def _in_window(campaign: Campaign, now: datetime) -> bool:
    def aware(d: datetime) -> datetime:
        return d if d.tzinfo else d.replace(tzinfo=now.tzinfo)

    if campaign.starts_at and aware(campaign.starts_at) > now:
        return False
    return not (campaign.ends_at and aware(campaign.ends_at) < now)


def arm(customer_id: str, campaign: Campaign) -> str:
    """Stable A/B assignment: 'holdout' customers are eligible but not shown the offer."""
    bucket = int(hashlib.sha256(f"{campaign.id}:{customer_id}".encode()).hexdigest(), 16) % 100
    return "holdout" if bucket < campaign.holdout_percent else "shown"


registry = ToolRegistry()


@registry.tool("get_offers", a.GetOffers)
def get_offers(ctx: ToolContext, args: a.GetOffers) -> list[dict[str, Any]]:
    """List the personal offers the verified customer is eligible for, each with the reason
    in plain words. Marketing offers only go to customers who opted in."""
    customer_id = ctx.session.customer_id
    if customer_id is None:  # guarded by the service; kept for direct callers
        raise InvalidArguments("No verified customer")
    shown = []
    for offer in eligible_offers(ctx.db, customer_id, ctx.now):
        campaign = ctx.db.get(Campaign, offer.campaign_id)
        assert campaign is not None
        group = arm(customer_id, campaign)
        ctx.db.add(OfferImpression(customer_id=customer_id, campaign_id=offer.campaign_id, arm=group,
                                   session_id=ctx.session.session_id, reason=offer.reason, shown_at=ctx.now))
        if group == "shown":
            shown.append(asdict(offer))
    return shown
