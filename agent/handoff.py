"""When a conversation should go to a human: explicit request, repeated failure to understand,
strong or sustained negative sentiment, policy limits, or the LLM being unavailable.

Each trigger has a kind (what the queue prioritises on and staff see) and a reason (the words).
Every threshold is configurable; `enabled` switches kinds off one by one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.ports import Understood
from agent.sentiment import Sentiment

EXPLICIT = "explicit"        # the shopper asked for a person (words or the widget's button)
FAILURES = "failures"        # not understood N turns in a row
SENTIMENT = "sentiment"      # strong or sustained negative sentiment
POLICY = "policy"            # refund above the threshold, legal/safety words, third-party complaint
LLM_DOWN = "llm_down"        # the LLM is unavailable
UNSUPPORTED = "unsupported"  # a request this mode cannot serve (e.g. item changes in intents mode)
ASSISTANT = "assistant"      # a capable model called transfer_to_human_agents
ALL_KINDS = (EXPLICIT, FAILURES, SENTIMENT, POLICY, LLM_DOWN, UNSUPPORTED, ASSISTANT)


@dataclass(frozen=True)
class HandoffTrigger:
    kind: str
    reason: str


@dataclass
class HandoffPolicy:
    max_failures: int = 3
    strong_negative: float = -0.75
    sustained_negative_turns: int = 3
    refund_threshold: float = 1000.0
    llm_down_turns: int = 2
    enabled: frozenset[str] = frozenset(ALL_KINDS)
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

    def allows(self, kind: str) -> bool:
        return kind in self.enabled

    def trigger(self, text: str, understood: Understood, sentiment: Sentiment,
                state: dict[str, Any]) -> HandoffTrigger | None:
        """Why a person should take over after this shopper message, or None."""
        for found in self._candidates(text, understood, sentiment, state):
            if found is not None and self.allows(found.kind):
                return found
        return None

    def _candidates(self, text: str, understood: Understood, sentiment: Sentiment,
                    state: dict[str, Any]) -> list[HandoffTrigger | None]:
        pending = (state.get("pending") or {}).get("summary") or {}
        amount = pending.get("amount") or pending.get("total")
        failures = state.get("failures", 0)
        return [
            HandoffTrigger(POLICY, "policy: legal or safety matter") if self._legal.search(text) else None,
            HandoffTrigger(POLICY, "policy: complaint about a third party")
            if self._third.search(text) and (understood.intent == "complaint" or sentiment.label == "negative")
            else None,
            HandoffTrigger(SENTIMENT, "strong negative sentiment") if sentiment.score <= self.strong_negative else None,
            HandoffTrigger(SENTIMENT, "sustained negative sentiment")
            if state.get("negative_streak", 0) >= self.sustained_negative_turns else None,
            HandoffTrigger(FAILURES, f"not understood {failures} turns in a row")
            if failures >= self.max_failures else None,
            HandoffTrigger(POLICY, f"policy: refund above ${self.refund_threshold:,.0f} needs a person")
            if amount is not None and float(amount) > self.refund_threshold else None,
        ]

    def llm_down(self, streak: int) -> HandoffTrigger | None:
        """After `llm_down_turns` turns in a row without the LLM (0 switches this off)."""
        if self.llm_down_turns and streak >= self.llm_down_turns and self.allows(LLM_DOWN):
            return HandoffTrigger(LLM_DOWN, f"the assistant's language model was unavailable {streak} turns in a row")
        return None
