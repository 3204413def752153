"""What a person taking over needs at a glance: a summary of the conversation (what the shopper
wanted, what the bot did, why it handed off, how the shopper feels) and suggested replies
grounded in retrieved passages and the customer's own orders. Deterministic: built from stored
facts, never invented by a model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent.ports import Retriever

READ_TOOLS_SHOWN = {"find_user_id_by_email": "verified the shopper by email",
                    "find_user_id_by_name_zip": "verified the shopper by name and zip",
                    "get_order_details": "looked up order {order_id}",
                    "get_user_details": "looked up the customer's profile",
                    "get_product_details": "looked up product {product_id}",
                    "get_offers": "looked up personal offers"}


@dataclass
class TranscriptLine:
    role: str
    text: str
    intent: str | None = None
    sentiment_label: str | None = None
    sentiment_score: float | None = None


def _action(call: dict[str, Any]) -> str | None:
    tool, args = call.get("tool", ""), call.get("arguments") or {}
    if tool == "transfer_to_human_agents":
        return None
    if tool in READ_TOOLS_SHOWN:
        try:
            text = READ_TOOLS_SHOWN[tool].format(**args)
        except KeyError:
            text = READ_TOOLS_SHOWN[tool].split(" {")[0]
    else:
        target = args.get("order_id") or args.get("user_id") or ""
        text = f"{tool.replace('_', ' ')} {target}".strip()
    return text if call.get("ok") else f"tried to {text} (failed: {str(call.get('error') or '')[:120]})"


def summarize(lines: Sequence[TranscriptLine], tool_calls: Sequence[dict[str, Any]], *,
              reason: str | None, trigger: str | None, waited_s: int | None) -> dict[str, Any]:
    shopper = [m for m in lines if m.role == "shopper"]
    intents = [i for i, _ in Counter(m.intent for m in shopper if m.intent).most_common()]
    scores = [m.sentiment_score for m in shopper if m.sentiment_score is not None]
    label = next((m.sentiment_label for m in reversed(shopper) if m.sentiment_label), "unknown")
    score = scores[-1] if scores else 0.0
    trend = "steady"
    if len(scores) >= 2:
        half = len(scores) // 2
        before, after = sum(scores[:half]) / half, sum(scores[half:]) / (len(scores) - half)
        trend = "worsening" if after < before - 0.2 else "improving" if after > before + 0.2 else "steady"
    actions = [a for a in (_action(c) for c in tool_calls) if a]
    parts = [f"The shopper wrote {len(shopper)} message{'s' if len(shopper) != 1 else ''}"
             + (f" about {', '.join(i.replace('_', ' ') for i in intents[:3])}." if intents else ".")]
    parts.append(("The bot " + "; ".join(actions[-6:]) + ".") if actions else "The bot made no account actions.")
    if reason:
        parts.append(f"Handed off: {reason}.")
    parts.append(f"Sentiment: {label} ({score:+.2f}), {trend}.")
    return {"text": " ".join(parts), "intents": intents, "bot_actions": actions, "handoff_reason": reason,
            "trigger": trigger, "sentiment": {"label": label, "score": round(score, 2), "trend": trend},
            "waited_s": waited_s}


def _first_sentences(text: str, limit: int = 300) -> str:
    out = ""
    for sentence in text.replace("\n", " ").split(". "):
        candidate = (out + " " + sentence.strip()).strip()
        if len(candidate) > limit:
            break
        out = candidate if candidate.endswith(".") else candidate + "."
    return out or text[:limit]


def suggest(query: str, retriever: Retriever | None, orders: Sequence[dict[str, Any]], *,
            k: int = 3) -> list[dict[str, Any]]:
    """Replies a person may send as they are or edit: orders the shopper mentioned (or their
    latest), then the policy passages and products that match the shopper's last message."""
    out: list[dict[str, Any]] = []
    mentioned = [o for o in orders if o.get("order_id") and o["order_id"] in query] or list(orders[:1])
    for o in mentioned[:2]:
        items = ", ".join(i.get("name", "") for i in o.get("items", [])[:3])
        tracking = [t for f in o.get("fulfillments", []) for t in f.get("tracking_id", [])]
        text = f"Your order {o['order_id']} ({items}) is {o.get('status')}."
        if tracking:
            text += f" Tracking number: {tracking[0]}."
        out.append({"text": text, "source": {"collection": "orders", "id": o["order_id"], "title": o["order_id"]}})
    if retriever is not None and query.strip():
        for collection in ("kb", "catalog"):
            try:
                passages = retriever.search(query, collection, k=k)
            except Exception:  # suggestions are a help, never a reason to fail a claim
                passages = []
            for p in passages[:2 if collection == "kb" else 1]:
                text = _first_sentences(p.text)
                if collection == "catalog":
                    text = f"{p.title}: {text}"
                out.append({"text": text, "source": {"collection": collection, "id": p.id, "title": p.title}})
    return out[: k + 2]
