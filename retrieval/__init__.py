"""Retrieval: hybrid (MiniLM dense + Qdrant BM25, RRF) search over the catalog, the knowledge
base and per-customer history, on Qdrant Edge (embedded) or a Qdrant server.

Public API: `Retrieval` (+ `RetrievalConfig`, `KbSources`), the input types in `models`, the
τ² adapters, the LangChain retrievers and the typed errors."""

from retrieval.collections import Collection
from retrieval.errors import (
    CustomerRequiredError,
    EmptyQueryError,
    InvalidFilterError,
    InvalidParameterError,
    InvalidQueryError,
    QueryTooLongError,
    RetrievalError,
    StoreBusyError,
    StoreUnavailableError,
    UnknownCollectionError,
    UnknownFilterFieldError,
)
from retrieval.indexer import IndexStats
from retrieval.models import (
    CatalogProduct,
    ConversationSummary,
    CustomerOrder,
    KbSection,
    OrderItem,
    ProductVariant,
    SearchHit,
)
from retrieval.searcher import SearchConfig, SearchRequest
from retrieval.service import KbSources, Retrieval, RetrievalConfig

__all__ = [
    "CatalogProduct", "Collection", "ConversationSummary", "CustomerOrder", "CustomerRequiredError",
    "EmptyQueryError", "IndexStats", "InvalidFilterError", "InvalidParameterError", "InvalidQueryError",
    "KbSection", "KbSources", "OrderItem", "ProductVariant", "QueryTooLongError", "Retrieval",
    "RetrievalConfig", "RetrievalError", "SearchConfig", "SearchHit", "SearchRequest", "StoreBusyError",
    "StoreUnavailableError", "UnknownCollectionError", "UnknownFilterFieldError",
]
