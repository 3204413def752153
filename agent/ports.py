"""What the agent needs from the capabilities, as small protocols. The composition root
(server/) plugs the real retrieval, privacy and NLU objects in through these seams."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Understood:
    text: str
    intent: str
    confidence: float
    out_of_scope: bool
    slots: dict[str, Any] = field(default_factory=dict)


class Understander(Protocol):
    def understand(self, text: str) -> Understood: ...

    def match_order_items(self, text: str, items: list[dict[str, Any]]) -> list[str]:
        """Item ids of `items` (τ² order lines) that `text` describes; [] when none is clear."""
        ...


@dataclass
class Passage:
    id: str
    score: float
    title: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)


class Retriever(Protocol):
    def search(self, query: str, collection: str, *, k: int = 5, customer_id: str | None = None) -> list[Passage]: ...


class Pseudonymizer(Protocol):
    """Reversible per-conversation pseudonyms: what the LLM and logs see instead of PII."""

    def pseudonymize(self, conversation_id: str, text: str) -> str: ...

    def restore(self, conversation_id: str, text: str) -> str: ...

    def restore_arguments(self, conversation_id: str, arguments: dict[str, Any]) -> dict[str, Any]: ...
