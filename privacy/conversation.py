"""The privacy API the agent uses each turn, per conversation.

    privacy = PrivacyService(PrivacyConfig(), SqlPseudonymStore(engine, keys=[key]))
    convo = privacy.conversation(conversation_id, customer_id=None)
    llm_text = convo.scrub(shopper_message)          # LLM, logs, vector store see pseudonyms
    args = convo.restore_arguments(tool_call_args)   # real values only at the tool boundary
    tool_text = convo.scrub_data(tool_result)        # tool output goes back pseudonymised
    reply = convo.restore(llm_reply)                 # the shopper sees real values ...
    verdict = convo.guard(reply)                     # ... unless they are someone else's
    send(verdict.safe_text)

Every call loads the map from the store and saves it back when it grew, so several server
instances can serve one conversation.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from privacy.config import PrivacyConfig, RedactionPolicy
from privacy.detector import PiiDetector
from privacy.output_guard import GuardVerdict, guard_output
from privacy.pseudonyms import PseudonymMap
from privacy.redaction import RedactionResult, redact
from privacy.store import PseudonymStore

Profile = Mapping[str, str | Iterable[str]]


class ConversationPrivacy:
    """Scrub, restore and guard for one conversation (see module docstring)."""

    def __init__(
        self,
        conversation_id: str,
        detector: PiiDetector,
        store: PseudonymStore,
        policy: RedactionPolicy,
        customer_id: str | None = None,
    ) -> None:
        self.conversation_id = conversation_id
        self._detector = detector
        self._store = store
        self._policy = policy
        self._customer_id = customer_id

    def __repr__(self) -> str:
        return f"ConversationPrivacy({self.conversation_id!r})"

    def _load(self) -> PseudonymMap:
        return self._load_or_new()[0]

    def _load_or_new(self) -> tuple[PseudonymMap, bool]:
        m = self._store.load(self.conversation_id)
        changed = m is None
        if m is None:
            m = PseudonymMap(self.conversation_id, self._customer_id)
        if self._customer_id and m.customer_id != self._customer_id:
            m.customer_id = self._customer_id
            changed = True
        return m, changed

    def identify(self, customer_id: str, profile: Profile | None = None) -> None:
        """Tie the conversation to a customer (for `forget`) and register their profile's PII
        (type -> value(s)) so it is pseudonymised even where detection would miss it."""
        self._customer_id = customer_id
        m = self._load()
        m.customer_id = customer_id
        for entity_type, values in (profile or {}).items():
            for v in [values] if isinstance(values, str) else values:
                if v and v.strip():
                    m.pseudonym_for(entity_type, v.strip())
        self._store.save(m)

    def redact(self, text: str | bytes | None) -> RedactionResult:
        """Pseudonymise `text`, growing and saving the map; the full result (with entities)."""
        m, changed = self._load_or_new()
        before = len(m)
        result = redact(text, self._detector, self._policy, m, known=m.values_by_type())
        if changed or len(m) != before:
            self._store.save(m)
        return result

    def scrub(self, text: str | bytes | None) -> str:
        """The text the LLM, the logs and the vector store may see."""
        return self.redact(text).redacted

    def scrub_data(self, value: Any) -> Any:
        """`scrub` every string inside a nested tool result (dict / list / tuple)."""
        if isinstance(value, str):
            return self.scrub(value) if value.strip() else value
        if isinstance(value, dict):
            return {k: self.scrub_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.scrub_data(v) for v in value)
        return value

    def restore(self, text: str) -> str:
        """Real values back in place of this conversation's pseudonyms (for the shopper)."""
        return self._load().restore(text)

    def restore_arguments(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Tool-call arguments with pseudonyms restored at any depth (for the tool only)."""
        return dict(self._load().restore_arguments(dict(arguments)))

    def known_values(self, extra: Iterable[str] = ()) -> set[str]:
        return self._load().values() | {e for e in extra if e}

    def guard(self, outgoing: str, allowed: Iterable[str] = ()) -> GuardVerdict:
        """Withhold PII in the restored reply that is not this shopper's. `allowed` adds values
        that may always appear (the assistant's persona name, the store's address)."""
        return guard_output(outgoing, self.known_values(allowed), self._detector)

    def end(self) -> None:
        """The conversation is over: its map is deleted."""
        self._store.delete(self.conversation_id)


class PrivacyService:
    """Process-wide entry point; built once by the composition root."""

    def __init__(
        self,
        config: PrivacyConfig,
        store: PseudonymStore,
        detector: PiiDetector | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.detector = detector or PiiDetector(config)

    def conversation(self, conversation_id: str, customer_id: str | None = None) -> ConversationPrivacy:
        return ConversationPrivacy(conversation_id, self.detector, self.store, self.config.policy, customer_id)

    def redact(self, text: str | bytes | None) -> RedactionResult:
        """Stateless redaction (pseudonyms numbered per call), e.g. for the vector store."""
        return redact(text, self.detector, self.config.policy)

    def forget(self, customer_id: str) -> int:
        """Right to erasure: drop every pseudonym map of this customer."""
        return self.store.forget(customer_id)
