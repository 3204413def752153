"""LangChain retrievers for the agent, one per collection. The history retriever is bound to a
customer id when it is built (from the authenticated session); the model only supplies the
query text and cannot widen it to another customer."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from retrieval.collections import Collection
from retrieval.models import SearchHit


def hit_to_document(hit: SearchHit, collection: Collection) -> Document:
    return Document(
        page_content=hit.text,
        metadata={"id": hit.id, "title": hit.title, "score": hit.score, "collection": collection.value,
                  **hit.payload},
    )


class _RetrievalRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    retrieval: Any = Field(description="A retrieval.Retrieval facade.")
    k: int = 5
    filters: dict[str, Any] = Field(default_factory=dict)

    collection: Collection = Collection.CATALOG

    def _customer(self) -> str | None:
        return None

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retrieval.search(query, self.collection, k=self.k, customer_id=self._customer(),
                                     filters=self.filters or None)
        return [hit_to_document(h, self.collection) for h in hits]


class CatalogRetriever(_RetrievalRetriever):
    """Products and variants ('id' is PRODUCT_ID or PRODUCT_ID:ITEM_ID)."""

    collection: Collection = Collection.CATALOG


class KbRetriever(_RetrievalRetriever):
    """Store policy, ABCD policy manual and FAQ sections ('title' is the section title)."""

    collection: Collection = Collection.KB


class HistoryRetriever(_RetrievalRetriever):
    """One customer's past orders and conversation summaries."""

    collection: Collection = Collection.HISTORY
    customer_id: str

    def _customer(self) -> str | None:
        return self.customer_id
