"""`Retrieval`: the facade the server and the agent use. It owns one backend, one dense
embedder and the BM25 encoders, and exposes search, ingestion and per-customer maintenance.

Construct it with `Retrieval.open(RetrievalConfig(...))` (the composition root does this from
its settings) or directly with a backend and an embedder (tests, benchmarks)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.backends.base import Mode, VectorBackend
from retrieval.catalog_docs import catalog_docs
from retrieval.collections import Collection
from retrieval.documents import SCOPE, IndexDoc
from retrieval.embedding import Bm25Encoder, DenseEmbedder, SentenceTransformerEmbedder
from retrieval.errors import CustomerRequiredError, StoreUnavailableError
from retrieval.filters import FilterSpec, Match
from retrieval.history_docs import (
    conversation_doc,
    conversations_scope,
    history_docs,
    order_doc,
    orders_scope,
)
from retrieval.indexer import Indexer, IndexStats, Progress
from retrieval.kb_sources import ABCD_GUIDELINES, abcd_sections, faq_sections, kb_docs, markdown_sections
from retrieval.models import CatalogProduct, ConversationSummary, CustomerOrder, KbSection, SearchHit
from retrieval.searcher import SearchConfig, Searcher, SearchRequest

# BM25 length normalisation per collection: typical document length in tokens.
BM25_AVG_LEN = {Collection.CATALOG: 24.0, Collection.KB: 120.0, Collection.HISTORY: 40.0}
KB_SCOPES = ("kb:tau2_policy", "kb:abcd", "kb:faq")


@dataclass(frozen=True)
class KbSources:
    """Where the knowledge base comes from. policy_files: (path, document id) Markdown files."""

    policy_files: tuple[tuple[Path, str], ...] = ()
    abcd_guidelines: Path | None = ABCD_GUIDELINES
    faq_dir: Path | None = None

    def sections(self) -> list[KbSection]:
        out: list[KbSection] = []
        for path, doc_id in self.policy_files:
            if Path(path).exists():
                out += markdown_sections(Path(path).read_text(encoding="utf-8"), source="tau2_policy",
                                         doc_id=doc_id)
        if self.abcd_guidelines and Path(self.abcd_guidelines).exists():
            out += abcd_sections(Path(self.abcd_guidelines))
        if self.faq_dir and Path(self.faq_dir).is_dir():
            out += faq_sections(Path(self.faq_dir))
        return out


@dataclass(frozen=True)
class RetrievalConfig:
    """Everything `Retrieval.open` needs, passed in by the composition root.

    qdrant_url set -> Qdrant server through qdrant-client (":memory:" = local mode, tests only);
    otherwise Qdrant Edge under store_path."""

    store_path: Path | None = None
    qdrant_url: str = ""
    qdrant_api_key: str | None = None
    collection_prefix: str = "concierge_"
    model_path: Path | None = None
    #: Where the ONNX export of the model is cached; set, queries are embedded with ONNX
    #: Runtime (retrieval/onnx_query.py), else with torch.
    onnx_cache_dir: Path | None = None
    kb: KbSources = field(default_factory=KbSources)
    search: SearchConfig = field(default_factory=SearchConfig)


def make_backend(config: RetrievalConfig) -> VectorBackend:
    if config.qdrant_url:
        from retrieval.backends.qdrant_server import QdrantServerBackend

        return QdrantServerBackend.connect(config.qdrant_url, api_key=config.qdrant_api_key,
                                           prefix=config.collection_prefix)
    if config.store_path is None:
        raise StoreUnavailableError("no Qdrant URL and no store path: configure one of them")
    from retrieval.backends.edge import EdgeBackend

    return EdgeBackend(config.store_path)


class Retrieval:
    def __init__(self, backend: VectorBackend, dense: DenseEmbedder, *,
                 search_config: SearchConfig | None = None, kb_sources: KbSources | None = None) -> None:
        self.backend = backend
        self.dense = dense
        self.sparse = {c: Bm25Encoder(avg_len=BM25_AVG_LEN[c]) for c in Collection}
        self.kb_sources = kb_sources or KbSources()
        self.searcher = Searcher(backend, dense, self.sparse, search_config)
        self.indexer = Indexer(backend, dense, self.sparse,
                               hnsw_min_points=self.searcher.config.exact_threshold)

    @classmethod
    def open(cls, config: RetrievalConfig, *, dense: DenseEmbedder | None = None) -> Retrieval:
        dense = dense or SentenceTransformerEmbedder(config.model_path, onnx_cache_dir=config.onnx_cache_dir)
        return cls(make_backend(config), dense,
                   search_config=config.search, kb_sources=config.kb)

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> Retrieval:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- search ----------------------------------------------------------------------------

    def search(self, query: str, collection: Collection | str = Collection.CATALOG, *, k: int = 10,
               customer_id: str | None = None, filters: Mapping[str, Any] | None = None,
               mode: Mode = "hybrid") -> list[SearchHit]:
        """Hybrid (default), dense-only or BM25-only search. `customer_id` is required for
        'history' and must come from the authenticated session."""
        return self.searcher.search(query, collection, k=k, customer_id=customer_id, filters=filters,
                                    mode=mode)

    def search_many(self, requests: Sequence[SearchRequest]) -> list[list[SearchHit]]:
        return self.searcher.search_many(requests)

    def drop(self, collection: Collection | str) -> None:
        """Delete a whole collection (for `concierge index --rebuild`)."""
        coll = Collection.parse(collection)
        self.backend.drop_collection(coll.value)
        self.searcher.invalidate(coll)

    def count(self, collection: Collection | str) -> int:
        return self.backend.count(Collection.parse(collection).value)

    # --- ingestion -------------------------------------------------------------------------

    def _done(self, collection: Collection, stats: IndexStats) -> IndexStats:
        self.searcher.invalidate(collection)
        return stats

    def index_catalog(self, products: Iterable[CatalogProduct], *,
                      progress: Progress | None = None) -> IndexStats:
        """Make the catalog collection hold exactly these products (and their variants)."""
        docs: Iterable[IndexDoc] = catalog_docs(products, self.sparse[Collection.CATALOG].token_ids)
        if isinstance(products, Sequence):  # small enough to count: lets the progress bar show a total
            docs = list(docs)
        stats = self.indexer.sync(Collection.CATALOG, docs, scopes=["catalog"], progress=progress)
        return self._done(Collection.CATALOG, stats)

    def index_kb(self, sections: Iterable[KbSection] | None = None, *,
                 progress: Progress | None = None) -> IndexStats:
        """Index the configured policy files, ABCD guidelines and FAQ folder (or `sections`)."""
        secs = list(sections) if sections is not None else self.kb_sources.sections()
        scopes = sorted(set(KB_SCOPES) | {f"kb:{s.source}" for s in secs})
        stats = self.indexer.sync(Collection.KB, list(kb_docs(secs)), scopes=scopes, progress=progress)
        return self._done(Collection.KB, stats)

    def index_history(self, orders: Iterable[CustomerOrder],
                      summaries: Iterable[ConversationSummary] | None = None, *,
                      progress: Progress | None = None) -> IndexStats:
        """Full rebuild of every customer's orders (and summaries, when given). Order points of
        customers absent from `orders` are removed; conversations are kept unless given."""
        docs = list(history_docs(orders, summaries or ()))
        existing_scopes = set(self.backend.scroll_field(Collection.HISTORY.value, SCOPE).values())
        scopes = {d.scope for d in docs} | {s for s in existing_scopes if str(s).startswith("orders:")}
        if summaries is not None:
            scopes |= {s for s in existing_scopes if str(s).startswith("conversations:")}
        stats = self.indexer.sync(Collection.HISTORY, docs, scopes=sorted(scopes), progress=progress)
        return self._done(Collection.HISTORY, stats)

    def reindex_customer_history(self, customer_id: str, orders: Iterable[CustomerOrder],
                                 summaries: Iterable[ConversationSummary] | None = None) -> IndexStats:
        """Replace one customer's order points (and summaries, if given) with these."""
        cid = _customer(customer_id)
        orders = [o for o in orders if o.customer_id == cid]
        scopes = [orders_scope(cid)]
        sums = None
        if summaries is not None:
            sums = [s for s in summaries if s.customer_id == cid]
            scopes.append(conversations_scope(cid))
        stats = self.indexer.sync(Collection.HISTORY, list(history_docs(orders, sums or ())),
                                  scopes=scopes)
        return self._done(Collection.HISTORY, stats)

    def upsert_order(self, order: CustomerOrder) -> bool:
        """Call after a write tool changed an order. Returns True if the point was re-embedded."""
        _customer(order.customer_id)
        changed = self.indexer.upsert_one(Collection.HISTORY, order_doc(order))
        self.searcher.invalidate(Collection.HISTORY)
        return changed

    def upsert_conversation_summary(self, summary: ConversationSummary) -> bool:
        _customer(summary.customer_id)
        changed = self.indexer.upsert_one(Collection.HISTORY, conversation_doc(summary))
        self.searcher.invalidate(Collection.HISTORY)
        return changed

    def forget_customer(self, customer_id: str) -> int:
        """Delete every point holding this customer's data. Returns the number deleted."""
        n = self.backend.delete_where(Collection.HISTORY.value,
                                      FilterSpec(must=(Match("customer_id", _customer(customer_id)),)))
        self.searcher.invalidate(Collection.HISTORY)
        return n

    # --- LangChain -------------------------------------------------------------------------

    def catalog_retriever(self, *, k: int = 5, filters: Mapping[str, Any] | None = None):  # type: ignore[no-untyped-def]
        from retrieval.langchain_retrievers import CatalogRetriever

        return CatalogRetriever(retrieval=self, k=k, filters=dict(filters or {}))

    def kb_retriever(self, *, k: int = 4, filters: Mapping[str, Any] | None = None):  # type: ignore[no-untyped-def]
        from retrieval.langchain_retrievers import KbRetriever

        return KbRetriever(retrieval=self, k=k, filters=dict(filters or {}))

    def history_retriever(self, customer_id: str, *, k: int = 5):  # type: ignore[no-untyped-def]
        from retrieval.langchain_retrievers import HistoryRetriever

        return HistoryRetriever(retrieval=self, customer_id=_customer(customer_id), k=k)


def _customer(customer_id: str | None) -> str:
    cid = (customer_id or "").strip() if isinstance(customer_id, str) or customer_id is None else ""
    if not cid:
        raise CustomerRequiredError()
    return cid
