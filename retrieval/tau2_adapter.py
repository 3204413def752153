"""The τ² store JSON layout (db.json, and the records the CRM tools return) -> retrieval's
input types. Plain data in, plain data out: nothing here imports `tools`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from retrieval.models import CatalogProduct, CustomerOrder, OrderItem, ProductVariant


def load_categories(path: Path | None) -> dict[str, str]:
    """categories.json: {category: [product name, ...], "_comment": ...} -> {name: category}."""
    if path is None or not Path(path).exists():
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {name: cat for cat, names in data.items() if not cat.startswith("_") for name in names}


def product_from_record(rec: Mapping[str, Any], category: str = "general") -> CatalogProduct:
    variants = tuple(
        ProductVariant(item_id=str(v["item_id"]), options={str(k): str(x) for k, x in v.get("options", {}).items()},
                       price=float(v["price"]), available=bool(v.get("available", True)))
        for v in rec.get("variants", {}).values()
    )
    return CatalogProduct(product_id=str(rec["product_id"]), name=str(rec["name"]),
                          category=str(rec.get("category") or category), variants=variants)


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def order_from_record(rec: Mapping[str, Any]) -> CustomerOrder:
    """A τ² order record (db.json or `get_order_details`) -> CustomerOrder."""
    items = tuple(
        OrderItem(product_id=str(i["product_id"]), item_id=str(i["item_id"]), name=str(i["name"]),
                  price=float(i["price"]), options={str(k): str(v) for k, v in i.get("options", {}).items()})
        for i in rec.get("items", [])
    )
    tracking = tuple(str(t) for f in rec.get("fulfillments", []) for t in f.get("tracking_id", []))
    addr = rec.get("address") or {}
    ship_to = ", ".join(x for x in (addr.get("city"), addr.get("state")) if x)
    payments = rec.get("payment_history") or []
    paid = sum(float(p["amount"]) for p in payments if p.get("transaction_type") == "payment")
    notes: list[str] = []
    if rec.get("cancel_reason"):
        notes.append(f"Cancelled: {rec['cancel_reason']}.")
    if rec.get("return_items"):
        notes.append(f"Return requested for items {', '.join(map(str, rec['return_items']))}.")
    if rec.get("exchange_items"):
        notes.append(f"Exchange requested: {', '.join(map(str, rec['exchange_items']))} -> "
                     f"{', '.join(map(str, rec.get('exchange_new_items') or []))}.")
    refunds = [p for p in payments if p.get("transaction_type") == "refund"]
    if refunds:
        notes.append(f"Refunded ${sum(float(p['amount']) for p in refunds):,.2f}.")
    return CustomerOrder(
        order_id=str(rec["order_id"]), customer_id=str(rec["user_id"]), status=str(rec["status"]),
        items=items, placed_at=_when(rec.get("placed_at")), tracking_ids=tracking, ship_to=ship_to,
        total=round(paid, 2) if paid else None, notes=tuple(notes),
    )


def load_tau2_store(db_path: Path) -> dict[str, Any]:
    return json.loads(Path(db_path).read_text(encoding="utf-8"))


def catalog_from_tau2(db: Mapping[str, Any], categories: Mapping[str, str] | None = None) -> Iterator[CatalogProduct]:
    cats = categories or {}
    for rec in db.get("products", {}).values():
        yield product_from_record(rec, cats.get(rec["name"], "general"))


def orders_from_tau2(db: Mapping[str, Any], customer_id: str | None = None) -> Iterator[CustomerOrder]:
    for rec in db.get("orders", {}).values():
        if customer_id is None or rec.get("user_id") == customer_id:
            yield order_from_record(rec)
