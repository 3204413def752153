"""Load the demo store (τ²-bench retail `db.json`) into the CRM schema. Idempotent."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from tools.db import make_sessionmaker, migrate
from tools.offers import load_default_campaigns
from tools.models import (
    Address,
    Base,
    Customer,
    CustomerSegment,
    Fulfillment,
    MarketingConsent,
    OfferImpression,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    SeedInfo,
    Variant,
)

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_SEED = DATA / "tau2_retail" / "db.json"
CATEGORIES = DATA / "categories.json"
SEED_NAME = "demo_store"
# The τ² store has no order dates; Concierge gives each order a deterministic synthetic date
# in the two years before this moment, so recency-based segments and offers have data to use.
DATE_ANCHOR = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _categories() -> dict[str, str]:
    raw = json.loads(CATEGORIES.read_text())
    return {name: cat for cat, names in raw.items() if not cat.startswith("_") for name in names}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def synthetic_order_date(order_id: str, status: str) -> datetime:
    """Stable per order id; pending orders are recent, delivered ones older."""
    rng = random.Random(order_id)
    max_days = 14 if status == "pending" else 720
    return DATE_ANCHOR - timedelta(days=rng.uniform(0, max_days), seconds=rng.randint(0, 86399))


def _dec(value: float | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def rows_from_db_json(db: dict[str, Any]) -> list[Base]:
    """Build ORM rows for products, customers and orders, keeping τ²'s ordering."""
    cats = _categories()
    rows: list[Base] = []
    for p_pos, prod in enumerate(db["products"].values()):
        product = Product(
            id=prod["product_id"], name=prod["name"], category=cats.get(prod["name"], "general"), position=p_pos
        )
        product.variants = [
            Variant(
                id=v["item_id"], position=i, options=v["options"], available=v["available"], price=_dec(v["price"])
            )
            for i, v in enumerate(prod["variants"].values())
        ]
        rows.append(product)
    for user in db["users"].values():
        customer = Customer(
            id=user["user_id"],
            first_name=user["name"]["first_name"],
            last_name=user["name"]["last_name"],
            email=user["email"],
        )
        customer.addresses = [Address(kind="default", **user["address"])]
        customer.payment_methods = [
            PaymentMethod(
                id=pm["id"],
                position=i,
                source=pm["source"],
                brand=pm.get("brand"),
                last_four=pm.get("last_four"),
                balance=_dec(pm["balance"]) if "balance" in pm else None,
            )
            for i, pm in enumerate(user["payment_methods"].values())
        ]
        customer.consent = MarketingConsent(granted=True, source="seed")
        rows.append(customer)
    for o_pos, order in enumerate(db["orders"].values()):
        o = Order(
            id=order["order_id"],
            customer_id=order["user_id"],
            position=o_pos,
            status=order["status"],
            placed_at=synthetic_order_date(order["order_id"], order["status"]),
            **order["address"],
        )
        o.items = [
            OrderItem(
                position=i,
                product_id=it["product_id"],
                item_id=it["item_id"],
                name=it["name"],
                price=_dec(it["price"]),
                options=it["options"],
            )
            for i, it in enumerate(order["items"])
        ]
        o.fulfillments = [
            Fulfillment(position=i, tracking_ids=f["tracking_id"], item_ids=f["item_ids"])
            for i, f in enumerate(order["fulfillments"])
        ]
        o.payments = [
            Payment(
                position=i,
                transaction_type=p["transaction_type"],
                amount=_dec(p["amount"]),
                payment_method_id=p["payment_method_id"],
            )
            for i, p in enumerate(order["payment_history"])
        ]
        rows.append(o)
    return rows


STORE_TABLES = [Payment, Fulfillment, OrderItem, Order, PaymentMethod, Address, MarketingConsent, Variant, Product]


def seed(engine: Engine, source: Path = DEFAULT_SEED, *, reset: bool = False) -> str:
    """Migrate, then load `source` unless the same file was loaded already.

    Returns "seeded", "reset" or "unchanged". `reset` wipes the store tables first (the audit log
    and campaigns are kept: the audit log is append-only by design).
    """
    migrate(engine)
    digest = file_digest(source)
    Session_ = make_sessionmaker(engine)
    with Session_.begin() as s:
        load_default_campaigns(s)
        info = s.scalar(select(SeedInfo).where(SeedInfo.name == SEED_NAME))
        if info is not None and info.digest == digest and not reset:
            return "unchanged"
        had_data = info is not None or s.scalar(select(Customer.id).limit(1)) is not None
        if had_data:
            _wipe_store(s)
        s.add_all(rows_from_db_json(json.loads(source.read_text())))
        if info is None:
            s.add(SeedInfo(name=SEED_NAME, digest=digest))
        else:
            info.digest = digest
            info.seeded_at = datetime.now(timezone.utc)
    return "reset" if had_data else "seeded"


def _wipe_store(s: Session) -> None:
    s.execute(delete(OfferImpression))
    s.execute(delete(CustomerSegment))
    for table in STORE_TABLES:
        s.execute(delete(table))
    s.execute(delete(Customer))
    s.flush()
