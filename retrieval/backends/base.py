"""The one small interface both vector stores implement. Same collection layout on both: a
384-d cosine dense vector named 'dense', a BM25 sparse vector named 'bm25' with Qdrant's IDF
modifier, payload indexes from `retrieval.collections.SPECS`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from retrieval.embedding import SparseVec
from retrieval.filters import FieldSchema, FilterSpec

Mode = Literal["dense", "bm25", "hybrid"]


@dataclass(frozen=True)
class StoredPoint:
    id: str
    dense: Sequence[float]
    sparse: SparseVec
    payload: dict[str, Any]


@dataclass(frozen=True)
class HybridRequest:
    """One search. `exact` asks for brute-force dense search (small collections, where HNSW
    would only lose recall); `hnsw_ef` is used otherwise. RRF fuses the two prefetch lists."""

    limit: int
    dense: Sequence[float] | None = None
    sparse: SparseVec | None = None
    mode: Mode = "hybrid"
    filter: FilterSpec = field(default_factory=FilterSpec)
    prefetch_limit: int = 50
    exact: bool = True
    hnsw_ef: int | None = None
    rrf_k: int = 5
    rrf_weights: tuple[float, float] | None = None  # (dense, bm25); None = equal


@dataclass(frozen=True)
class ScoredPayload:
    id: str
    score: float
    payload: dict[str, Any]


class VectorBackend(Protocol):
    """Implemented by EdgeBackend (embedded, default) and QdrantServerBackend (qdrant-client)."""

    name: str

    def ensure_collection(self, collection: str, dim: int, fields: Sequence[FieldSchema]) -> None: ...

    def upsert(self, collection: str, points: Sequence[StoredPoint]) -> None: ...

    def delete(self, collection: str, point_ids: Sequence[str]) -> None: ...

    def flush(self, collection: str) -> None:
        """Make the writes so far durable."""
        ...

    def delete_where(self, collection: str, flt: FilterSpec) -> int:
        """Delete every point matching; returns how many were deleted."""
        ...

    def scroll_field(self, collection: str, fld: str, flt: FilterSpec | None = None) -> dict[str, Any]:
        """{point id: payload[fld]} for every point matching flt (used for content hashes)."""
        ...

    def retrieve_field(self, collection: str, point_ids: Sequence[str], fld: str) -> dict[str, Any]:
        """{point id: payload[fld]} for those of point_ids that exist."""
        ...

    def count(self, collection: str, flt: FilterSpec | None = None) -> int: ...

    def query(self, collection: str, request: HybridRequest) -> list[ScoredPayload]: ...

    def query_batch(self, collection: str, requests: Sequence[HybridRequest]) -> list[list[ScoredPayload]]: ...

    def facet(self, collection: str, fld: str, limit: int) -> dict[str, int]: ...

    def optimize(self, collection: str) -> None: ...

    def has_collection(self, collection: str) -> bool: ...

    def drop_collection(self, collection: str) -> None: ...

    def close(self) -> None: ...
