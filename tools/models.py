"""The reference CRM schema (SQLAlchemy 2). Alembic migrations in tools/migrations mirror it.

Money is `Numeric(12, 2)` and handled as `Decimal` in Python, so amounts are exact to the cent.
Rows that τ²'s layout keeps in order (order lines, payment history, a user's orders and payment
methods) carry a `position` so records round-trip exactly.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(12, 2)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, Decimal: Money}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(128))
    last_name: Mapped[str] = mapped_column(String(128))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set by staff when a customer is known to be in financial difficulty: no marketing offers.
    hardship: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    addresses: Mapped[list[Address]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Address.id"
    )
    payment_methods: Mapped[list[PaymentMethod]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="PaymentMethod.position"
    )
    orders: Mapped[list[Order]] = relationship(back_populates="customer", order_by="Order.position")
    consent: Mapped[MarketingConsent | None] = relationship(
        back_populates="customer", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def default_address(self) -> Address:
        return next(a for a in self.addresses if a.kind == "default")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="default")
    address1: Mapped[str] = mapped_column(String(256))
    address2: Mapped[str] = mapped_column(String(256), default="")
    city: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(64))
    zip: Mapped[str] = mapped_column(String(16), index=True)

    customer: Mapped[Customer] = relationship(back_populates="addresses")


class PaymentMethod(Base):
    __tablename__ = "payment_methods"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16))  # credit_card | paypal | gift_card
    brand: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_four: Mapped[str | None] = mapped_column(String(4), nullable=True)
    balance: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer] = relationship(back_populates="payment_methods")

    __table_args__ = (CheckConstraint("balance IS NULL OR balance >= 0", name="ck_pm_balance_nonneg"),)
    __mapper_args__ = {"version_id_col": version}


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), index=True)
    category: Mapped[str] = mapped_column(String(64), default="general", index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.position"
    )


class Variant(Base):
    __tablename__ = "variants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    available: Mapped[bool] = mapped_column(Boolean)
    price: Mapped[Decimal] = mapped_column(Money)

    product: Mapped[Product] = relationship(back_populates="variants")

    __table_args__ = (CheckConstraint("price >= 0", name="ck_variant_price_nonneg"),)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(32), index=True)
    placed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Shipping address, a snapshot taken when the order was placed (or modified).
    address1: Mapped[str] = mapped_column(String(256))
    address2: Mapped[str] = mapped_column(String(256), default="")
    city: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(64))
    zip: Mapped[str] = mapped_column(String(16))
    # Outcomes of actions, in τ²'s vocabulary.
    cancel_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    exchange_items: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    exchange_new_items: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    exchange_payment_method_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    exchange_price_difference: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    return_items: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    return_payment_method_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Every write sets it, so the version check below also guards writes that touch only child rows.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.position"
    )
    fulfillments: Mapped[list[Fulfillment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Fulfillment.position"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Payment.position"
    )

    __mapper_args__ = {"version_id_col": version}


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(32), index=True)
    item_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(256))
    price: Mapped[Decimal] = mapped_column(Money)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)

    order: Mapped[Order] = relationship(back_populates="items")

    __table_args__ = (CheckConstraint("price >= 0", name="ck_item_price_nonneg"),)


class Fulfillment(Base):
    __tablename__ = "fulfillments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    tracking_ids: Mapped[list[Any]] = mapped_column(JSON)
    item_ids: Mapped[list[Any]] = mapped_column(JSON)

    order: Mapped[Order] = relationship(back_populates="fulfillments")


class Payment(Base):
    """One entry of an order's payment history (a payment or a refund)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    transaction_type: Mapped[str] = mapped_column(String(16))  # payment | refund
    amount: Mapped[Decimal] = mapped_column(Money)
    payment_method_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="payments")

    __table_args__ = (CheckConstraint("amount >= 0", name="ck_payment_amount_nonneg"),
                      CheckConstraint("transaction_type IN ('payment', 'refund')", name="ck_payment_type"))


class MarketingConsent(Base):
    __tablename__ = "marketing_consent"

    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    granted: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(64), default="seed")

    customer: Mapped[Customer] = relationship(back_populates="consent")


class Campaign(Base):
    """A marketing or service offer with machine-checked eligibility rules (see tools/offers.py)."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(32))  # category_discount | winback | loyalty | …
    description: Mapped[str] = mapped_column(Text, default="")
    discount_percent: Mapped[int] = mapped_column(Integer, default=0)
    rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    marketing: Mapped[bool] = mapped_column(Boolean, default=True)
    # Share of eligible customers held out (not shown the offer) to measure lift, by stable hash.
    holdout_percent: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CustomerSegment(Base):
    """RFM features and the cluster a customer falls in; recomputed by `concierge segments`."""

    __tablename__ = "customer_segments"

    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    segment: Mapped[str] = mapped_column(String(32), index=True)
    recency_days: Mapped[int] = mapped_column(Integer)
    frequency: Mapped[int] = mapped_column(Integer)
    monetary: Mapped[Decimal] = mapped_column(Money)
    favourite_categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OfferImpression(Base):
    """Every offer shown to a customer, with its A/B arm, for later analysis."""

    __tablename__ = "offer_impressions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    campaign_id: Mapped[str] = mapped_column(String(64), index=True)
    arm: Mapped[str] = mapped_column(String(8))
    session_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    shown_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Append-only: every tool call.

    Database triggers (migration 0002) refuse DELETE, and refuse UPDATE except the one-time
    erasure redaction that sets `redacted_at`.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    tool: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    ok: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    write: Mapped[bool] = mapped_column(Boolean, default=False)
    # Erasure (right to be forgotten) may blank a row's PII once; nothing else may change it.
    redacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_audit_session_at", "session_id", "at"),)


class SeedInfo(Base):
    """What the store was seeded from (idempotent `concierge seed`)."""

    __tablename__ = "seed_info"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    seeded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
