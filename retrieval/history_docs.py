"""A customer's past orders and conversation summaries -> `IndexDoc`s for `history`.

Every point carries `customer_id`; the searcher adds a `customer_id` filter to every history
query from the session's customer, never from model input."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from retrieval.catalog_docs import option_phrase
from retrieval.documents import IndexDoc
from retrieval.models import ConversationSummary, CustomerOrder


def orders_scope(customer_id: str) -> str:
    return f"orders:{customer_id}"


def conversations_scope(customer_id: str) -> str:
    return f"conversations:{customer_id}"


def conversation_result_id(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def order_doc(order: CustomerOrder) -> IndexDoc:
    lines = []
    for item in order.items:
        opts = ", ".join(option_phrase(k, v) for k, v in item.options.items())
        lines.append(f"{item.name} ({opts}) ${item.price:,.2f}" if opts else f"{item.name} ${item.price:,.2f}")
    total = order.total if order.total is not None else sum(i.price for i in order.items)
    parts = [f"Order {order.order_id}, status {order.status}."]
    if order.placed_at:
        parts.append(f"Placed {order.placed_at.date().isoformat()}.")
    parts.append("Items: " + "; ".join(lines) + "." if lines else "No items.")
    parts.append(f"Total ${total:,.2f}.")
    if order.tracking_ids:
        parts.append("Tracking: " + ", ".join(order.tracking_ids) + ".")
    if order.ship_to:
        parts.append(f"Ships to {order.ship_to}.")
    parts += list(order.notes)
    text = " ".join(parts)
    names = ", ".join(dict.fromkeys(i.name for i in order.items))
    return IndexDoc(
        key=f"{order.customer_id}/{order.order_id}",
        result_id=order.order_id,
        title=f"Order {order.order_id} ({order.status}): {names}" if names else f"Order {order.order_id}",
        text=text,
        dense_text=f"{order.status} order of {names}. " + text,
        sparse_text=text,
        scope=orders_scope(order.customer_id),
        payload={
            "customer_id": order.customer_id,
            "kind": "order",
            "order_id": order.order_id,
            "status": order.status,
            "placed_at": order.placed_at.isoformat() if order.placed_at else None,
            "product_ids": sorted({i.product_id for i in order.items}),
            "item_ids": [i.item_id for i in order.items],
            "tracking_ids": list(order.tracking_ids),
            "total": round(total, 2),
        },
    )


def conversation_doc(summary: ConversationSummary) -> IndexDoc:
    when = f" ({summary.ended_at.date().isoformat()})" if summary.ended_at else ""
    return IndexDoc(
        key=f"{summary.customer_id}/conversation/{summary.conversation_id}",
        result_id=conversation_result_id(summary.conversation_id),
        title=f"Conversation {summary.conversation_id}{when}",
        text=summary.text,
        dense_text=summary.text,
        sparse_text=summary.text,
        scope=conversations_scope(summary.customer_id),
        payload={
            "customer_id": summary.customer_id,
            "kind": "conversation",
            "conversation_id": summary.conversation_id,
            "ended_at": summary.ended_at.isoformat() if summary.ended_at else None,
        },
    )


def history_docs(orders: Iterable[CustomerOrder] = (),
                 summaries: Iterable[ConversationSummary] = ()) -> Iterator[IndexDoc]:
    for o in orders:
        yield order_doc(o)
    for s in summaries:
        yield conversation_doc(s)
