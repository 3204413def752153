"""ORM rows <-> τ²'s `db.json` record layout (the JSON the tools return and the replay compares)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from tools.models import Customer, CustomerSegment, Order, PaymentMethod, Product, Variant


def money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def address_record(row: Any) -> dict[str, str]:
    return {
        "address1": row.address1,
        "address2": row.address2,
        "city": row.city,
        "country": row.country,
        "state": row.state,
        "zip": row.zip,
    }


def payment_method_record(pm: PaymentMethod) -> dict[str, Any]:
    rec: dict[str, Any] = {"source": pm.source, "id": pm.id}
    if pm.source == "credit_card":
        rec["brand"] = pm.brand
        rec["last_four"] = pm.last_four
    elif pm.source == "gift_card":
        rec["balance"] = money(pm.balance)
    return rec


def user_record(c: Customer) -> dict[str, Any]:
    return {
        "user_id": c.id,
        "name": {"first_name": c.first_name, "last_name": c.last_name},
        "address": address_record(c.default_address),
        "email": c.email,
        "payment_methods": {pm.id: payment_method_record(pm) for pm in c.payment_methods},
        "orders": [o.id for o in c.orders],
    }


def order_record(o: Order) -> dict[str, Any]:
    return {
        "order_id": o.id,
        "user_id": o.customer_id,
        "address": address_record(o),
        "items": [
            {
                "name": i.name,
                "product_id": i.product_id,
                "item_id": i.item_id,
                "price": money(i.price),
                "options": dict(i.options),
            }
            for i in o.items
        ],
        "status": o.status,
        "fulfillments": [
            {"tracking_id": list(f.tracking_ids), "item_ids": list(f.item_ids)} for f in o.fulfillments
        ],
        "payment_history": [
            {
                "transaction_type": p.transaction_type,
                "amount": money(p.amount),
                "payment_method_id": p.payment_method_id,
            }
            for p in o.payments
        ],
        "cancel_reason": o.cancel_reason,
        "exchange_items": o.exchange_items,
        "exchange_new_items": o.exchange_new_items,
        "exchange_payment_method_id": o.exchange_payment_method_id,
        "exchange_price_difference": money(o.exchange_price_difference),
        "return_items": o.return_items,
        "return_payment_method_id": o.return_payment_method_id,
    }


def variant_record(v: Variant) -> dict[str, Any]:
    return {"item_id": v.id, "options": dict(v.options), "available": v.available, "price": money(v.price)}


def product_record(p: Product) -> dict[str, Any]:
    return {
        "name": p.name,
        "product_id": p.id,
        "variants": {v.id: variant_record(v) for v in p.variants},
    }


def customer_profile(db: Session, customer_id: str) -> dict[str, Any] | None:
    """A user record plus what operators need: segment, marketing consent, hardship flag."""
    customer = db.get(Customer, customer_id)
    if customer is None:
        return None
    record = user_record(customer)
    seg = db.get(CustomerSegment, customer_id)
    record["segment"] = seg.segment if seg else None
    record["marketing_consent"] = bool(customer.consent and customer.consent.granted)
    record["hardship"] = customer.hardship
    return record
