"""Hybrid search: validate the request, understand catalog queries (negation, price, stock),
embed once with MiniLM and BM25, and let Qdrant fuse the dense and sparse lists with RRF under
the payload filters. History queries always carry the session's customer filter."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.backends.base import HybridRequest, Mode, ScoredPayload, VectorBackend
from retrieval.catalog_docs import attr_key
from retrieval.collections import Collection, bool_match, build_filter
from retrieval.documents import RESULT_ID, TEXT, TITLE
from retrieval.embedding import Bm25Encoder, DenseEmbedder
from retrieval.errors import (
    CustomerRequiredError,
    EmptyQueryError,
    InvalidParameterError,
    QueryTooLongError,
)
from retrieval.filters import FilterSpec, Match, MatchAny, Range
from retrieval.models import SearchHit
from retrieval.option_match import OptionMatcher
from retrieval.query_parsing import ParsedQuery, parse_catalog_query
from retrieval.units import canonical_units

_INTERNAL = frozenset({"key", RESULT_ID, TITLE, TEXT, "scope", "content_hash", "attrs", "available_flag"})
MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")


@dataclass(frozen=True)
class SearchConfig:
    """max_query_chars: longer queries are refused (a 10 kB paste is not a search).
    exact_threshold: collections up to this many points are searched brute force (HNSW would
    only lose recall there, and brute force over 20k 384-d vectors takes ~1 ms)."""

    max_query_chars: int = 2000
    max_k: int = 100
    prefetch_limit: int = 50
    # RRF: Qdrant scores a point 1 / ((rank + 1) / weight + k - 1) per list. A small k lets the
    # top ranks count (Qdrant's own default is 2; 60 flattens the lists until fusion mostly
    # counts co-occurrence). MiniLM is the stronger single retriever on both the catalog and the
    # policy texts, so it leads 2:1 and BM25 corrects it on exact option words and ids.
    rrf_k: int = 5
    rrf_weights: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"catalog": (2.0, 1.0), "kb": (2.0, 1.0), "history": (2.0, 1.0)})
    exact_threshold: int = 20_000
    hnsw_ef: int = 128
    understand_catalog_queries: bool = True
    size_cache_seconds: float = 30.0


@dataclass(frozen=True)
class SearchRequest:
    query: str
    collection: Collection | str
    k: int = 10
    customer_id: str | None = None
    filters: Mapping[str, Any] | None = None
    mode: Mode = "hybrid"


@dataclass
class _Prepared:
    collection: Collection
    k: int
    text: str
    parsed: ParsedQuery | None
    filter: FilterSpec
    mode: Mode
    fetch: int
    dense: Any = None
    sparse: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class Searcher:
    def __init__(self, backend: VectorBackend, dense: DenseEmbedder, sparse: Mapping[Collection, Bm25Encoder],
                 config: SearchConfig | None = None) -> None:
        self.backend = backend
        self.dense = dense
        self.sparse = dict(sparse)
        self.config = config or SearchConfig()
        self._sizes: dict[Collection, tuple[float, int]] = {}
        self._lock = threading.Lock()
        catalog_bm25 = self.sparse.get(Collection.CATALOG)
        self._options = OptionMatcher(catalog_bm25.token_ids) if catalog_bm25 else None

    # --- public ----------------------------------------------------------------------------

    def search(self, query: str, collection: Collection | str, *, k: int = 10,
               customer_id: str | None = None, filters: Mapping[str, Any] | None = None,
               mode: Mode = "hybrid") -> list[SearchHit]:
        return self.search_many([SearchRequest(query, collection, k, customer_id, filters, mode)])[0]

    def search_many(self, requests: Sequence[SearchRequest]) -> list[list[SearchHit]]:
        """Many searches in one go: one batched MiniLM call, one Qdrant batch per collection."""
        prepared = [self._prepare(r) for r in requests]
        need_dense = [p for p in prepared if p.mode != "bm25"]
        if need_dense:
            if len(need_dense) == 1:
                need_dense[0].dense = self.dense.embed_query(need_dense[0].text)
            else:
                vecs = self.dense.embed_documents([p.text for p in need_dense])
                for p, v in zip(need_dense, vecs):
                    p.dense = v
        for p in prepared:
            if p.mode != "dense":
                text = canonical_units(p.text) if p.parsed is not None else p.text
                p.sparse = self.sparse[p.collection].embed_query(text)
        out: list[list[SearchHit] | None] = [None] * len(prepared)
        by_collection: dict[Collection, list[int]] = {}
        for i, p in enumerate(prepared):
            by_collection.setdefault(p.collection, []).append(i)
        for coll, idxs in by_collection.items():
            exact = self._collection_size(coll) <= self.config.exact_threshold
            reqs = [self._request(prepared[i], exact) for i in idxs]
            results = self.backend.query_batch(coll.value, reqs)
            for i, res in zip(idxs, results):
                out[i] = self._hits(prepared[i], self._stated_options_first(prepared[i], res))
        return [o or [] for o in out]

    def invalidate(self, collection: Collection | None = None) -> None:
        with self._lock:
            if collection is None:
                self._sizes.clear()
            else:
                self._sizes.pop(collection, None)

    # --- steps -----------------------------------------------------------------------------

    def _prepare(self, r: SearchRequest) -> _Prepared:
        collection = Collection.parse(r.collection)
        if r.mode not in MODES:
            raise InvalidParameterError(f"unknown search mode {r.mode!r}: use one of {', '.join(MODES)}")
        if not isinstance(r.k, int) or isinstance(r.k, bool) or not 1 <= r.k <= self.config.max_k:
            raise InvalidParameterError(f"k must be a whole number from 1 to {self.config.max_k}, got {r.k!r}")
        text = validate_query(r.query, self.config.max_query_chars)
        flt = build_filter(collection, r.filters)
        if collection is Collection.HISTORY:
            cid = (r.customer_id or "").strip()
            if not cid:
                raise CustomerRequiredError()
            flt = FilterSpec(must=(Match("customer_id", cid),)).and_(flt)
        parsed = None
        if collection is Collection.CATALOG and self.config.understand_catalog_queries:
            parsed = parse_catalog_query(text)
            text = parsed.text
            flt = flt.and_(self._understood_filter(parsed))
        # A kb section has a point per chunk and per sentence, folded to one result: fetch enough
        # points for k sections. Catalog candidates are re-ordered by stated options.
        fetch = r.k * 20 if collection is Collection.KB else r.k * 3 if parsed is not None else r.k
        return _Prepared(collection, r.k, text, parsed, flt, r.mode, min(fetch, 300))

    def _understood_filter(self, parsed: ParsedQuery) -> FilterSpec:
        must: list[Any] = []
        must_not: list[Any] = []
        if parsed.price_lte is not None:
            must.append(Range("price_min", lte=parsed.price_lte))
        if parsed.price_gte is not None:
            must.append(Range("price_max", gte=parsed.price_gte))
        if parsed.in_stock:
            must.append(bool_match("available", True))
        keys: set[str] = set()
        bm25 = self.sparse[Collection.CATALOG]
        for phrase in parsed.negated:
            ids = bm25.token_ids(phrase)
            if ids:
                keys.add(attr_key(ids))
                keys.update(attr_key([i]) for i in ids)
        if keys:
            must_not.append(MatchAny("attrs", tuple(sorted(keys))))
        return FilterSpec(tuple(must), tuple(must_not))

    def _collection_size(self, collection: Collection) -> int:
        now = time.monotonic()
        with self._lock:
            cached = self._sizes.get(collection)
            if cached and now - cached[0] < self.config.size_cache_seconds:
                return cached[1]
        n = self.backend.count(collection.value)
        with self._lock:
            self._sizes[collection] = (now, n)
        return n

    def _request(self, p: _Prepared, exact: bool) -> HybridRequest:
        return HybridRequest(
            limit=p.fetch, dense=p.dense, sparse=p.sparse, mode=p.mode, filter=p.filter,
            prefetch_limit=max(self.config.prefetch_limit, p.fetch), exact=exact,
            hnsw_ef=self.config.hnsw_ef, rrf_k=self.config.rrf_k,
            rrf_weights=self.config.rrf_weights.get(p.collection.value))

    def _stated_options_first(self, p: _Prepared, scored: Sequence[ScoredPayload]) -> Sequence[ScoredPayload]:
        if p.parsed is None or self._options is None or len(scored) < 2:
            return scored
        order = self._options.rerank(p.text, [s.payload for s in scored], [s.score for s in scored])
        # Each slot keeps its score, so scores still fall down the list.
        return [ScoredPayload(scored[i].id, scored[slot].score, scored[i].payload)
                for slot, i in enumerate(order)]

    @staticmethod
    def _hits(p: _Prepared, scored: Sequence[ScoredPayload]) -> list[SearchHit]:
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for s in scored:
            rid = str(s.payload.get(RESULT_ID, s.id))
            if rid in seen:
                continue
            seen.add(rid)
            payload = {k: v for k, v in s.payload.items() if k not in _INTERNAL}
            hits.append(SearchHit(id=rid, score=round(s.score, 6), title=str(s.payload.get(TITLE, "")),
                                  text=str(s.payload.get(TEXT, "")), payload=payload))
            if len(hits) == p.k:
                break
        return hits


def validate_query(query: Any, max_chars: int) -> str:
    if not isinstance(query, str):
        raise InvalidParameterError(f"the query must be text, got {type(query).__name__}")
    text = " ".join(query.split())
    if not text:
        raise EmptyQueryError()
    if len(query) > max_chars:
        raise QueryTooLongError(len(query), max_chars)
    return text
