"""The intents-mode dialogue policy: from what the shopper meant (intent + slots) and the
conversation's task state to tool calls and a reply draft built only from their results.

This is the "fast intent + slot layer" that works even with the 135M embedded model: the model
never chooses tools here; it only words replies, and grounding checks its wording.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from agent.grounding import Facts
from agent.handoff import EXPLICIT, UNSUPPORTED
from agent.ports import Passage, Retriever, Understander, Understood
from agent.replies import join_human, money, reply
from tools.service import ToolOutcome, ToolService
from tools.session import ToolSession

# Intent groups (labels: Bitext's 27 + Concierge's store-specific ones).
STATUS_INTENTS = {"track_order", "delivery_period"}
CANCEL_INTENTS = {"cancel_order"}
RETURN_INTENTS = {"return_items", "get_refund"}
CHANGE_INTENTS = {"exchange_items", "modify_items", "change_order", "change_shipping_address",
                  "set_up_shipping_address"}
PRODUCT_INTENTS = {"product_question"}
OFFER_INTENTS = {"get_offers"}
HUMAN_INTENTS = {"contact_human_agent", "contact_customer_service"}
SMALL_TALK = {"greeting", "thanks", "goodbye"}
POLICY_INTENTS = {"policy_question", "check_refund_policy", "check_cancellation_fee", "delivery_options",
                  "check_payment_methods", "track_refund", "payment_issue", "check_invoice", "get_invoice",
                  "place_order", "review", "newsletter_subscription", "create_account", "delete_account",
                  "edit_account", "recover_password", "registration_problems", "switch_account", "complaint"}
TASK_KINDS = {"status": STATUS_INTENTS, "cancel": CANCEL_INTENTS, "return": RETURN_INTENTS}
CANCEL_REASONS = ("no longer needed", "ordered by mistake")


@dataclass
class Draft:
    """A reply the agent can always send as is, and the facts an LLM rewording may use."""

    text: str
    facts: Facts = field(default_factory=Facts)
    required: list[str] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    quick_replies: list[str] = field(default_factory=list)
    handoff: dict[str, Any] | None = None
    use_llm: bool = True
    understood: bool = True
    # Facts about a customer (orders, profile) are pseudonymised before an LLM sees them;
    # public facts (catalog, policy) are not.
    sensitive: bool = True
    llm_down: bool = False  # decided without the LLM because it was unavailable (tools mode)

    def __post_init__(self) -> None:
        self.facts.add(self.text)


def fixed(text: str, **kw: Any) -> Draft:
    """A reply that must be said exactly (read-backs, questions, refusals)."""
    return Draft(text, use_llm=False, **kw)


@dataclass
class Turn:
    conversation_id: str
    understood: Understood
    session: ToolSession


class Dialogue:
    def __init__(self, tools: ToolService, nlu: Understander, retriever: Retriever | None = None) -> None:
        self.tools = tools
        self.nlu = nlu
        self.retriever = retriever

    # ------------------------------------------------------------------ entry point

    def decide(self, state: dict[str, Any], turn: Turn) -> tuple[Draft, dict[str, Any]]:
        st = copy.deepcopy(state)
        st.setdefault("task", None)
        st.setdefault("pending", None)
        u = turn.understood
        slots = u.slots or {}

        if st["pending"]:
            if _affirm(u):
                return self._execute_pending(st, turn)
            if _deny(u):
                st["pending"] = None
                st["task"] = None
                return fixed(reply("action_declined")), st
            if not self._starts_new_request(u):
                return fixed(reply("confirm_expected"), quick_replies=["Yes", "No"]), st
            st["pending"] = None

        if not turn.session.authenticated and _identity_slots(slots):
            draft = self._identify(st, turn)
            if draft is not None:
                return draft, st

        kind = self._task_kind(u)
        if kind is not None:
            st["task"] = {"kind": kind}
        if st["task"] and (kind is not None or _task_slots(slots) or u.intent in {"identify", "affirm"}):
            self._merge_slots(st["task"], turn)
            return self._advance(st, turn), st

        return self._single_turn(st, turn), st

    # ------------------------------------------------------------------ routing helpers

    @staticmethod
    def _task_kind(u: Understood) -> str | None:
        if u.out_of_scope:
            return None
        for kind, intents in TASK_KINDS.items():
            if u.intent in intents:
                return kind
        return None

    @staticmethod
    def _starts_new_request(u: Understood) -> bool:
        return not u.out_of_scope and u.intent not in {"affirm", "deny", "identify", "greeting", "thanks"}

    def _single_turn(self, st: dict[str, Any], turn: Turn) -> Draft:
        u = turn.understood
        if u.intent in HUMAN_INTENTS and not u.out_of_scope:
            return self._handoff(turn, "customer asked for a person")
        if u.out_of_scope:
            return Draft(reply("out_of_scope"), use_llm=False, understood=False)
        if u.intent == "identify":
            if turn.session.authenticated:
                return fixed("You're already verified. How can I help?")
            return fixed(reply("ask_identity"))
        if u.intent in SMALL_TALK:
            return fixed(reply(u.intent))
        if u.intent in PRODUCT_INTENTS:
            return self._products(turn)
        if u.intent in OFFER_INTENTS:
            if not turn.session.authenticated:
                st["task"] = {"kind": "offers"}
                return fixed(reply("ask_identity"))
            return self._offers(turn)
        if u.intent in CHANGE_INTENTS:
            return self._handoff(turn, f"{u.intent.replace('_', ' ')} needs a person in this mode",
                                 text=reply("modify_unsupported"), trigger=UNSUPPORTED)
        if u.intent in POLICY_INTENTS:
            return self._policy(turn)
        if u.intent in {"affirm", "deny"}:
            return fixed("Okay! What can I help you with?")
        return Draft(reply("not_understood"), use_llm=False, understood=False)

    # ------------------------------------------------------------------ identity

    def _identify(self, st: dict[str, Any], turn: Turn) -> Draft | None:
        slots = turn.understood.slots
        attempts: list[tuple[str, dict[str, Any]]] = []
        if slots.get("email"):
            attempts.append(("find_user_id_by_email", {"email": slots["email"]}))
        if slots.get("first_name") and slots.get("last_name") and slots.get("zip"):
            attempts.append(("find_user_id_by_name_zip", {"first_name": slots["first_name"],
                                                          "last_name": slots["last_name"], "zip": slots["zip"]}))
        for tool, args in attempts:
            if self._call(turn, tool, args).ok:
                break
        else:
            return fixed(reply("identity_not_found"))
        first = self._first_name(turn)
        if st["task"]:
            self._merge_slots(st["task"], turn)
            follow = self._advance(st, turn)
            follow.text = f"{reply('identity_ok', first_name=first)} {follow.text}"
            follow.facts.add(follow.text)
            return follow
        return fixed(f"{reply('identity_ok', first_name=first)} How can I help you today?")

    def _first_name(self, turn: Turn) -> str:
        out = self._call(turn, "get_user_details", {"user_id": turn.session.customer_id})
        return out.result["name"]["first_name"] if out.ok else "there"

    # ------------------------------------------------------------------ multi-turn tasks

    def _merge_slots(self, task: dict[str, Any], turn: Turn) -> None:
        slots = turn.understood.slots or {}
        for key in ("order_id", "cancel_reason", "payment_hint"):
            if slots.get(key):
                task[key] = slots[key]
        if slots.get("item_ids"):
            task["item_ids"] = list(slots["item_ids"])
        if slots.get("all_items"):
            task["all_items"] = True
        task["last_text"] = turn.understood.text

    def _advance(self, st: dict[str, Any], turn: Turn) -> Draft:
        task = st["task"]
        if not turn.session.authenticated:
            return fixed(reply("ask_identity"))
        if task["kind"] == "offers":
            st["task"] = None
            return self._offers(turn)
        if not task.get("order_id"):
            picked = self._pick_order(turn, task["kind"])
            if isinstance(picked, Draft):
                return picked
            task["order_id"] = picked
        order = self._call(turn, "get_order_details", {"order_id": task["order_id"]})
        if not order.ok:
            task.pop("order_id", None)
            return fixed(reply("tool_failed", error=order.error))
        if task["kind"] == "status":
            st["task"] = None
            return self._status(order.result)
        if task["kind"] == "cancel":
            return self._advance_cancel(st, turn, order.result)
        return self._advance_return(st, turn, order.result)

    def _pick_order(self, turn: Turn, kind: str) -> str | Draft:
        user = self._call(turn, "get_user_details", {"user_id": turn.session.customer_id})
        if not user.ok:
            return fixed(reply("tool_failed", error=user.error))
        orders = []
        for oid in user.result["orders"]:
            o = self._call(turn, "get_order_details", {"order_id": oid})
            if o.ok:
                orders.append(o.result)
        if not orders:
            return fixed(reply("no_orders"))
        wanted = {"cancel": {"pending"}, "return": {"delivered"}}.get(kind)
        candidates = [o for o in orders if wanted is None or o["status"] in wanted]
        if len(candidates) == 1:
            return candidates[0]["order_id"]
        shown = candidates or orders
        listing = join_human([f"{o['order_id']} ({o['status']})" for o in shown])
        draft = fixed(reply("ask_order_id", orders=listing), quick_replies=[o["order_id"] for o in shown][:6])
        if kind == "status":
            draft = Draft(reply("order_list", orders=listing), quick_replies=[o["order_id"] for o in shown][:6],
                          cards=[_order_card(o) for o in shown][:6], required=[o["order_id"] for o in shown])
        return draft

    def _status(self, order: dict[str, Any]) -> Draft:
        items = join_human([i["name"] for i in order["items"]])
        text = reply("order_status", order_id=order["order_id"], status=order["status"], items=items)
        tracking = [t for f in order["fulfillments"] for t in f["tracking_id"]]
        text += " " + (reply("order_tracking", tracking=", ".join(tracking)) if tracking
                       else reply("order_no_tracking"))
        facts = Facts()
        facts.add(_order_fact(order))
        return Draft(text, facts=facts, required=[order["order_id"], order["status"], *tracking],
                     cards=[_order_card(order)])

    def _advance_cancel(self, st: dict[str, Any], turn: Turn, order: dict[str, Any]) -> Draft:
        task = st["task"]
        oid, status = order["order_id"], order["status"]
        if status != "pending":
            st["task"] = None
            key = "cancel_not_pending_delivered" if status == "delivered" else "cancel_not_pending"
            return fixed(reply(key, order_id=oid, status=status), cards=[_order_card(order)])
        reason = task.get("cancel_reason")
        if reason not in CANCEL_REASONS:
            return fixed(reply("ask_cancel_reason", order_id=oid), quick_replies=list(CANCEL_REASONS))
        total = sum(p["amount"] for p in order["payment_history"] if p["transaction_type"] == "payment")
        methods = [p["payment_method_id"] for p in order["payment_history"] if p["transaction_type"] == "payment"]
        refund_to = join_human([_method_name(m) for m in methods])
        text = reply("confirm_cancel", order_id=oid, items=join_human([i["name"] for i in order["items"]]),
                     total=money(total), reason=reason, refund_to=refund_to)
        st["pending"] = {"tool": "cancel_pending_order", "args": {"order_id": oid, "reason": reason},
                         "summary": {"total": total, "refund_to": refund_to}}
        st["task"] = None
        return fixed(text, quick_replies=["Yes", "No"], cards=[_order_card(order)])

    def _advance_return(self, st: dict[str, Any], turn: Turn, order: dict[str, Any]) -> Draft:
        task = st["task"]
        oid, status = order["order_id"], order["status"]
        if status != "delivered":
            st["task"] = None
            return fixed(reply("return_not_delivered", order_id=oid, status=status), cards=[_order_card(order)])
        lines = order["items"]
        if task.get("all_items"):
            task["item_ids"] = [i["item_id"] for i in lines]
        if not task.get("item_ids"):
            matched = self.nlu.match_order_items(task.get("last_text", ""), lines)
            if matched:
                task["item_ids"] = matched
        if len(lines) == 1 and not task.get("item_ids"):
            task["item_ids"] = [lines[0]["item_id"]]
        valid = {i["item_id"] for i in lines}
        task["item_ids"] = [i for i in task.get("item_ids", []) if i in valid]
        if not task["item_ids"]:
            listing = join_human([f"{i['name']} ({_options(i['options'])})" for i in lines])
            return fixed(reply("ask_return_items", order_id=oid, items=listing),
                         quick_replies=["All of them", *[i["name"] for i in lines][:5]])
        original = order["payment_history"][0]["payment_method_id"]
        gift_cards = self._gift_cards(turn)
        method = self._refund_method(task.get("payment_hint"), original, gift_cards)
        if method is None:
            options = [f"the original payment method ({_method_name(original)})",
                       *[f"gift card {g}" for g in gift_cards if g != original]]
            return fixed(reply("ask_refund_method", options=" or ".join(options)),
                         quick_replies=["Original payment method", "Gift card"][: 1 + bool(gift_cards)])
        chosen = [i for i in lines if i["item_id"] in task["item_ids"]]
        amount = sum(i["price"] for i in chosen)
        items = join_human([i["name"] for i in chosen])
        st["pending"] = {"tool": "return_delivered_order_items",
                         "args": {"order_id": oid, "item_ids": task["item_ids"], "payment_method_id": method},
                         "summary": {"items": items, "amount": amount, "method": _method_name(method)}}
        st["task"] = None
        return fixed(reply("confirm_return", items=items, order_id=oid, amount=money(amount),
                           method=_method_name(method)), quick_replies=["Yes", "No"], cards=[_order_card(order)])

    def _gift_cards(self, turn: Turn) -> list[str]:
        user = self._call(turn, "get_user_details", {"user_id": turn.session.customer_id})
        if not user.ok:
            return []
        return [pid for pid, pm in user.result["payment_methods"].items() if pm["source"] == "gift_card"]

    @staticmethod
    def _refund_method(hint: str | None, original: str, gift_cards: list[str]) -> str | None:
        if not gift_cards or original.startswith("gift_card"):
            return original
        if hint in {"gift card", "gift_card"}:
            return gift_cards[0]
        if hint in {"original", "original payment method", "credit card", "credit_card", "paypal"}:
            if hint in {"original", "original payment method"} or original.startswith(hint.replace(" ", "_")):
                return original
        return None

    def _execute_pending(self, st: dict[str, Any], turn: Turn) -> tuple[Draft, dict[str, Any]]:
        pending = st.pop("pending")
        st["pending"] = None
        out = self._call(turn, pending["tool"], pending["args"])
        if not out.ok:
            return fixed(reply("tool_failed", error=out.error)), st
        order = out.result
        summary = pending.get("summary", {})
        if pending["tool"] == "cancel_pending_order":
            gift = any(p.startswith("gift_card") for p in [x["payment_method_id"] for x in order["payment_history"]])
            note = (f"The {money(summary.get('total'))} is back on your gift card now." if gift else
                    f"The {money(summary.get('total'))} goes back to {summary.get('refund_to')} within 5 to 7 business days.")
            text = reply("done_cancel", order_id=order["order_id"], refund_note=note)
        else:
            text = reply("done_return", items=summary.get("items"), order_id=order["order_id"],
                         amount=money(summary.get("amount")), method=summary.get("method"))
        facts = Facts()
        facts.add(_order_fact(order))
        return Draft(text, facts=facts, required=[order["order_id"]], cards=[_order_card(order)],
                     use_llm=False), st

    # ------------------------------------------------------------------ single-turn answers

    def _products(self, turn: Turn) -> Draft:
        hits = self._search(turn.understood.text, "catalog", k=6)
        cards, lines, facts = [], [], Facts()
        variant_products = {(h.payload or {}).get("product_id") for h in hits if (h.payload or {}).get("item_id")}
        for hit in hits:
            card = _product_card(hit)
            if card is None or any(c["name"] == card["name"] and c.get("item_id") == card.get("item_id") for c in cards):
                continue
            if "item_id" not in card and card["product_id"] in variant_products:
                continue  # the variants found say more than the product's summary
            cards.append(card)
            if "item_id" in card:
                avail = "in stock" if card["available"] else "out of stock"
                lines.append(f"{card['name']} ({_options(card['options'])}), {money(card['price'])}, {avail}")
            else:
                lines.append(f"{card['name']}, from {money(card['price'])}")
            facts.add(hit.text, lines[-1])
            if len(cards) == 3:
                break
        if not cards:
            return fixed(reply("products_none"))
        return Draft(reply("products_found", products="; ".join(lines)), facts=facts, cards=cards, sensitive=False)

    def _policy(self, turn: Turn) -> Draft:
        hits = self._search(turn.understood.text, "kb", k=3)
        if not hits:
            return fixed(reply("policy_none"), quick_replies=["Talk to a person"])
        top = hits[0]
        excerpt = _excerpt(top.text)
        facts = Facts()
        facts.add(top.text)
        return Draft(reply("policy_answer", title=top.title, text=excerpt), facts=facts, sensitive=False)

    def _offers(self, turn: Turn) -> Draft:
        out = self._call(turn, "get_offers", {})
        if not out.ok:
            return fixed(reply("tool_failed", error=out.error))
        if not out.result:
            return fixed(reply("offers_none"))
        listing = "; ".join(f"{o['name']} ({o['reason']})" for o in out.result)
        cards = [{"kind": "offer", **{k: o[k] for k in ("campaign_id", "name", "description", "reason",
                                                        "discount_percent")}} for o in out.result]
        facts = Facts()
        facts.add(*[f"{o['name']}: {o['description']} {o['reason']}" for o in out.result])
        return Draft(reply("offers", offers=listing), facts=facts, cards=cards)

    def _handoff(self, turn: Turn, reason: str, text: str | None = None, trigger: str = EXPLICIT) -> Draft:
        summary = f"Handoff: {reason}. Last message intent: {turn.understood.intent}."
        self._call(turn, "transfer_to_human_agents", {"summary": summary})
        return fixed(text or reply("handoff"), handoff={"reason": reason, "trigger": trigger, "summary": summary})

    # ------------------------------------------------------------------ plumbing

    def _search(self, query: str, collection: str, k: int) -> list[Passage]:
        if self.retriever is None:
            return []
        return self.retriever.search(query, collection, k=k)

    def _call(self, turn: Turn, tool: str, args: dict[str, Any]) -> ToolOutcome:
        return self.tools.call(turn.session, tool, args)


# ---------------------------------------------------------------------- helpers

def _affirm(u: Understood) -> bool:
    return u.intent == "affirm" or bool(u.slots.get("affirm"))


def _deny(u: Understood) -> bool:
    return u.intent == "deny" or bool(u.slots.get("deny"))


def _identity_slots(slots: dict[str, Any]) -> bool:
    return bool(slots.get("email") or (slots.get("first_name") and slots.get("last_name") and slots.get("zip")))


def _task_slots(slots: dict[str, Any]) -> bool:
    return any(slots.get(k) for k in ("order_id", "cancel_reason", "item_ids", "payment_hint", "all_items"))


def _options(options: dict[str, Any]) -> str:
    return ", ".join(str(v) for v in options.values())


def _method_name(payment_method_id: str) -> str:
    kind, _, number = payment_method_id.rpartition("_")
    return {"credit_card": "your credit card", "paypal": "your PayPal account",
            "gift_card": "your gift card"}.get(kind, payment_method_id)


def _order_card(order: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "order", "order_id": order["order_id"], "status": order["status"],
            "items": [{"name": i["name"], "item_id": i["item_id"], "price": i["price"], "options": i["options"]}
                      for i in order["items"]],
            "tracking": [t for f in order["fulfillments"] for t in f["tracking_id"]]}


def _order_fact(order: dict[str, Any]) -> str:
    items = "; ".join(f"{i['name']} ({_options(i['options'])}) {money(i['price'])} item {i['item_id']}"
                      for i in order["items"])
    paid = "; ".join(f"{p['transaction_type']} {money(p['amount'])} via {p['payment_method_id']}"
                     for p in order["payment_history"])
    tracking = ", ".join(t for f in order["fulfillments"] for t in f["tracking_id"])
    return (f"Order {order['order_id']} status {order['status']}. Items: {items}. Payments: {paid}. "
            f"Tracking: {tracking or 'none'}.")


def _product_card(hit: Passage) -> dict[str, Any] | None:
    p = hit.payload or {}
    name = p.get("name") or p.get("product_name") or hit.title
    if not name or p.get("price") is None:
        return None
    options = p.get("options") or {}
    if any(isinstance(v, list) for v in options.values()):  # a product summary: every option's values
        options = {}
    card = {"kind": "product", "product_id": p.get("product_id") or hit.id.split(":")[0], "name": name,
            "options": options, "price": p.get("price"), "available": bool(p.get("available", True))}
    if p.get("item_id"):
        card["item_id"] = p["item_id"]
    return card


def _excerpt(text: str, limit: int = 420) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > 80 else cut.rsplit(" ", 1)[0] + "…"
