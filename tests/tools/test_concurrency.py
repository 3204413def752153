"""Two concurrent writes on one order: one wins, the other gets a clear conflict error."""

from __future__ import annotations

import threading

from tests.conftest import Store
from tools import crm, schemas
from tools.models import Order
from tools.registry import ToolContext, ToolRegistry
from tools.service import ToolService
from tools.session import ToolSession


def racing_registry(barrier: threading.Barrier) -> ToolRegistry:
    """The real write tools, but each waits after reading the order so the two calls interleave."""
    reg = ToolRegistry()

    @reg.tool("cancel_pending_order", schemas.CancelOrder, write=True)
    def cancel(ctx: ToolContext, args: schemas.CancelOrder):  # type: ignore[no-untyped-def]
        ctx.db.get(Order, args.order_id)
        barrier.wait(timeout=30)
        return crm.cancel_pending_order(ctx, args)

    @reg.tool("modify_pending_order_address", schemas.ModifyOrderAddress, write=True)
    def modify(ctx: ToolContext, args: schemas.ModifyOrderAddress):  # type: ignore[no-untyped-def]
        ctx.db.get(Order, args.order_id)
        barrier.wait(timeout=30)
        return crm.modify_pending_order_address(ctx, args)

    return reg


def test_one_write_wins_the_other_conflicts(store: Store) -> None:
    barrier = threading.Barrier(2)
    service = ToolService(store.sessions, racing_registry(barrier))
    calls = [
        ("cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"}),
        ("modify_pending_order_address", {"order_id": "#W6247578", "address1": "9 New Rd", "address2": "",
                                          "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"}),
    ]
    outcomes: dict[str, object] = {}

    def run(tool: str, args: dict) -> None:
        s = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity")
        outcomes[tool] = service.call(s, tool, args)

    threads = [threading.Thread(target=run, args=c) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    results = list(outcomes.values())
    winners = [o for o in results if o.ok]  # type: ignore[attr-defined]
    losers = [o for o in results if not o.ok]  # type: ignore[attr-defined]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].code == "conflict" and "nothing was changed" in losers[0].error  # type: ignore[attr-defined]
    with store.sessions() as db:
        order = db.get(Order, "#W6247578")
        if winners[0].tool == "cancel_pending_order":  # type: ignore[attr-defined]
            assert order.status == "cancelled" and order.city == "Philadelphia"
        else:
            assert order.status == "pending" and order.city == "Austin" and len(order.payments) == 1
