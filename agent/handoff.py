"""When a conversation should go to a human: explicit request, repeated failure to understand,
strong or sustained negative sentiment, policy limits, or the LLM being unavailable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.ports import Understood
from agent.sentiment import Sentiment


@dataclass
class HandoffPolicy:
    max_failures: int = 3
    strong_negative: float = -0.75
    sustained_negative_turns: int = 3
    refund_threshold: float = 1000.0
    legal_safety_words: tuple[str, ...] = (
        "lawyer", "attorney", "sue", "lawsuit", "legal action", "court", "injured", "injury", "hurt me",
        "caught fire", "on fire", "burned", "electric shock", "unsafe", "dangerous", "police", "fraud",
        "chargeback", "recall")
    third_party_words: tuple[str, ...] = (
        "courier", "ups", "fedex", "usps", "dhl", "delivery driver", "the driver", "postman", "carrier",
        "marketplace seller", "third party", "third-party")
    _legal: re.Pattern[str] = field(init=False, repr=False)
    _third: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._legal = re.compile(r"\b(" + "|".join(map(re.escape, self.legal_safety_words)) + r")\b", re.I)
        self._third = re.compile(r"\b(" + "|".join(map(re.escape, self.third_party_words)) + r")\b", re.I)

    def trigger(self, text: str, understood: Understood, sentiment: Sentiment,
                state: dict[str, Any]) -> str | None:
        """The reason to hand off after this shopper message, or None."""
        if self._legal.search(text):
            return "policy: legal or safety matter"
        if self._third.search(text) and (understood.intent == "complaint" or sentiment.label == "negative"):
            return "policy: complaint about a third party"
        if sentiment.score <= self.strong_negative:
            return "strong negative sentiment"
        if state.get("negative_streak", 0) >= self.sustained_negative_turns:
            return "sustained negative sentiment"
        if state.get("failures", 0) >= self.max_failures:
            return f"not understood {state.get('failures')} turns in a row"
        pending = state.get("pending") or {}
        amount = (pending.get("summary") or {}).get("amount") or (pending.get("summary") or {}).get("total")
        if amount is not None and float(amount) > self.refund_threshold:
            return f"policy: refund above ${self.refund_threshold:,.0f} needs a person"
        return None
