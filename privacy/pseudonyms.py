"""Per-conversation pseudonym map: `<PERSON_1>`, `<EMAIL_ADDRESS_1>`, ...

Scheme: `<` + Presidio entity type + `_` + a counter per type + `>`. The type name is the
Presidio one (EMAIL_ADDRESS, PHONE_NUMBER, STREET_ADDRESS, ...) so an LLM can tell what the
placeholder stands for, and the angle brackets make it a token no shopper types by accident.
The same value (compared case- and whitespace-insensitively) always gets the same pseudonym
within a conversation, across turns, whatever type it was detected as the second time.

The map is sensitive (it *is* the PII): it is never logged (`__repr__` hides it) and only
leaves memory encrypted (see `privacy.store`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

PSEUDONYM_RE = re.compile(r"<([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*?)_(\d{1,6})>")


def normalise_value(value: str) -> str:
    return " ".join(value.casefold().split())


@dataclass
class PseudonymMap:
    """Value <-> pseudonym for one conversation (and, optionally, the customer it belongs to)."""

    conversation_id: str
    customer_id: str | None = None
    _by_value: dict[str, str] = field(default_factory=dict)
    _by_pseudonym: dict[str, str] = field(default_factory=dict)
    _types: dict[str, str] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:  # never print the values
        return (f"PseudonymMap(conversation_id={self.conversation_id!r}, "
                f"customer_id={self.customer_id!r}, entries={len(self._by_pseudonym)})")

    __str__ = __repr__

    def __len__(self) -> int:
        return len(self._by_pseudonym)

    def pseudonym_for(self, entity_type: str, value: str) -> str:
        """The pseudonym of `value`, allocating `<TYPE_n>` the first time it is seen."""
        key = normalise_value(value)
        found = self._by_value.get(key)
        if found:
            return found
        n = self._counters.get(entity_type, 0) + 1
        self._counters[entity_type] = n
        pseudonym = f"<{entity_type}_{n}>"
        self._by_value[key] = pseudonym
        self._by_pseudonym[pseudonym] = value
        self._types[pseudonym] = entity_type
        return pseudonym

    def real_value(self, pseudonym: str) -> str | None:
        return self._by_pseudonym.get(pseudonym)

    def values(self) -> set[str]:
        """The real values this conversation has revealed (for the output guard)."""
        return set(self._by_pseudonym.values())

    def values_by_type(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for pseudonym, value in self._by_pseudonym.items():
            out.setdefault(self._types[pseudonym], []).append(value)
        return out

    def restore(self, text: str) -> str:
        """Replace every pseudonym of this map in `text` by its real value; others stay."""
        if "<" not in text:
            return text
        return PSEUDONYM_RE.sub(lambda m: self._by_pseudonym.get(m.group(0), m.group(0)), text)

    def restore_arguments(self, value: Any) -> Any:
        """`restore` applied to every string inside nested dicts / lists / tuples."""
        if isinstance(value, str):
            return self.restore(value)
        if isinstance(value, dict):
            return {k: self.restore_arguments(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.restore_arguments(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.restore_arguments(v) for v in value)
        return value

    # -- serialisation (only ever stored encrypted) --------------------------------------
    def to_json(self) -> str:
        return json.dumps({
            "conversation_id": self.conversation_id,
            "customer_id": self.customer_id,
            "entries": [[p, self._types[p], v] for p, v in self._by_pseudonym.items()],
            "counters": self._counters,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> "PseudonymMap":
        raw = json.loads(data)
        m = cls(conversation_id=raw["conversation_id"], customer_id=raw.get("customer_id"))
        for pseudonym, entity_type, value in raw["entries"]:
            m._by_pseudonym[pseudonym] = value
            m._types[pseudonym] = entity_type
            m._by_value[normalise_value(value)] = pseudonym
        m._counters = {k: int(v) for k, v in raw.get("counters", {}).items()}
        return m
