"""Adapters from the capabilities' own APIs to the agent's ports (agent/ports.py)."""

from __future__ import annotations

from typing import Any

from agent.ports import Passage
from privacy import PrivacyService


class PrivacyPort:
    """agent.ports.Pseudonymizer over privacy.PrivacyService."""

    def __init__(self, service: PrivacyService) -> None:
        self.service = service

    def pseudonymize(self, conversation_id: str, text: str) -> str:
        return self.service.conversation(conversation_id).scrub(text)

    def restore(self, conversation_id: str, text: str) -> str:
        return self.service.conversation(conversation_id).restore(text)

    def restore_arguments(self, conversation_id: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return self.service.conversation(conversation_id).restore_arguments(arguments)


class RetrievalPort:
    """agent.ports.Retriever over retrieval.Retrieval."""

    def __init__(self, retrieval: Any) -> None:
        self.retrieval = retrieval

    def search(self, query: str, collection: str, *, k: int = 5, customer_id: str | None = None) -> list[Passage]:
        kwargs: dict[str, Any] = {"k": k}
        if customer_id is not None:
            kwargs["customer_id"] = customer_id
        hits = self.retrieval.search(query, collection, **kwargs)
        return [Passage(h.id, h.score, h.title, h.text, dict(h.payload)) for h in hits]
