"""Writing the reply: the LLM words it from the facts, streamed sentence by sentence through the
grounding gate; anything unsupported, or a reply missing a key fact, falls back to the draft."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage

from agent.dialogue import Draft
from agent.grounding import SentenceGate, check
from agent.llm import LLMClient, LLMUnavailable
from agent.ports import Pseudonymizer
from agent.replies import prompt

log = logging.getLogger(__name__)
TokenSink = Callable[[str], None]


@dataclass
class Written:
    text: str
    source: str  # "llm" | "template"
    llm_error: str | None = None
    rejected: list[str] | None = None


class ReplyWriter:
    def __init__(self, llm: LLMClient | None, pseudonymizer: Pseudonymizer | None = None, *,
                 budget_s: float = 10.0, max_concurrency: int = 0, queue_wait_s: float = 1.0) -> None:
        """`budget_s`: how long the LLM may take to word a reply before the template is used.
        `max_concurrency` (0: unlimited): replies the LLM may word at once; a turn that waits
        more than `queue_wait_s` for a slot sends its deterministic draft instead. The draft is
        complete and grounded, so under load the shopper gets it at once rather than queueing
        behind other conversations' wording (the embedded model words one reply at a time)."""
        self.llm = llm
        self.pseudonymizer = pseudonymizer
        self.budget_s = budget_s
        self.queue_wait_s = queue_wait_s
        self._slots = threading.BoundedSemaphore(max_concurrency) if max_concurrency > 0 else None

    def _p(self, conversation_id: str, text: str) -> str:
        return self.pseudonymizer.pseudonymize(conversation_id, text) if self.pseudonymizer else text

    def _r(self, conversation_id: str, text: str) -> str:
        return self.pseudonymizer.restore(conversation_id, text) if self.pseudonymizer else text

    def write(self, conversation_id: str, draft: Draft, shopper_text: str, on_token: TokenSink) -> Written:
        if not draft.use_llm or self.llm is None:
            on_token(draft.text)
            return Written(draft.text, "template")
        if self._slots is not None and not self._slots.acquire(timeout=self.queue_wait_s):
            log.info("LLM busy with other replies; sending the template")
            on_token(draft.text)
            return Written(draft.text, "template", rejected=["llm busy"])
        try:
            return self._word(conversation_id, draft, shopper_text, on_token)
        finally:
            if self._slots is not None:
                self._slots.release()

    def _word(self, conversation_id: str, draft: Draft, shopper_text: str, on_token: TokenSink) -> Written:
        facts_text = "\n".join(dict.fromkeys(draft.facts.texts))
        private = (lambda t: self._p(conversation_id, t)) if draft.sensitive else (lambda t: t)
        messages = [
            SystemMessage(prompt("system")),
            HumanMessage(prompt("user").format(facts=private(facts_text), draft=private(draft.text),
                                               message=self._p(conversation_id, shopper_text))),
        ]
        gate = SentenceGate(draft.facts, on_token, context=shopper_text, draft=draft.text,
                            transform=lambda sentence: self._r(conversation_id, sentence))
        deadline = time.monotonic() + self.budget_s
        timed_out = False

        def feed(piece: str) -> bool:
            nonlocal timed_out
            if time.monotonic() > deadline:
                timed_out = True
                return False
            return gate.feed(piece)

        try:
            raw = self.llm.stream(messages, on_token=feed)
        except LLMUnavailable as exc:
            log.warning("LLM unavailable, using the template reply: %s", exc)
            on_token(draft.text)
            return Written(draft.text, "template", llm_error=str(exc))
        if timed_out:
            log.info("LLM wording over its %.1f s budget; using the template", self.budget_s)
            return Written(draft.text, "template", rejected=["over time budget"])
        grounded = gate.finish() and not gate.failed
        text = self._r(conversation_id, raw).strip()
        verdict = check(text, draft.facts, draft.required, context=shopper_text, draft=draft.text)
        if not grounded or not verdict.ok:
            rejected = gate.failed or verdict.unsupported or [f"missing {m}" for m in verdict.missing] or ["empty"]
            log.info("LLM reply rejected by grounding (%s); using the template", rejected)
            return Written(draft.text, "template", rejected=rejected)
        return Written(text, "llm")
