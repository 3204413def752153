"""Plain-data types at the package boundary: what callers feed in (catalog, orders, summaries,
knowledge-base documents) and what a search gives back. Retrieval never reads the store's
database or settings itself; the composition root converts its records into these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- catalog -------------------------------------------------------------------------------


class ProductVariant(_Frozen):
    """One purchasable item of a product (τ²: a variant with an item id)."""

    item_id: str
    options: dict[str, str] = Field(default_factory=dict)
    price: float
    available: bool = True


class CatalogProduct(_Frozen):
    product_id: str
    name: str
    category: str = "general"
    variants: tuple[ProductVariant, ...] = ()
    description: str = Field(default="", description="Merchant copy, if any; appended to the generated text.")


# --- history -------------------------------------------------------------------------------


class OrderItem(_Frozen):
    product_id: str
    item_id: str
    name: str
    price: float
    options: dict[str, str] = Field(default_factory=dict)


class CustomerOrder(_Frozen):
    order_id: str
    customer_id: str
    status: str
    items: tuple[OrderItem, ...] = ()
    placed_at: datetime | None = None
    tracking_ids: tuple[str, ...] = ()
    ship_to: str = Field(default="", description="City/state line only; no street address is indexed.")
    total: float | None = None
    notes: tuple[str, ...] = Field(default=(), description="Outcomes such as 'return requested for ...'.")


class ConversationSummary(_Frozen):
    customer_id: str
    conversation_id: str
    text: str
    ended_at: datetime | None = None


# --- knowledge base ------------------------------------------------------------------------


class KbSection(_Frozen):
    """One titled section of a policy or FAQ document (chunked further if long)."""

    section_id: str = Field(description="Stable id, e.g. 'tau2-policy/cancel-pending-order'.")
    title: str
    text: str
    source: str = Field(description="'tau2_policy', 'abcd' or 'faq'.")
    path: tuple[str, ...] = Field(default=(), description="Parent titles, outermost first.")


# --- results -------------------------------------------------------------------------------


class SearchHit(_Frozen):
    """One result. `id` is the product id, `PRODUCT_ID:ITEM_ID`, a kb section id or an order id."""

    id: str
    score: float
    title: str
    text: str
    payload: dict[str, Any] = Field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "title": self.title, "text": self.text,
                "payload": self.payload}
