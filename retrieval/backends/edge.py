"""Embedded backend: Qdrant Edge (`qdrant-edge-py`), the Qdrant engine in-process. One shard per
collection under `<root>/<collection>`. A shard is single-writer: opening one that another
process holds raises StoreBusyError."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from retrieval.backends.base import HybridRequest, ScoredPayload, StoredPoint
from retrieval.collections import DENSE, SPARSE
from retrieval.errors import IncompatibleStoreError, StoreBusyError, StoreUnavailableError
from retrieval.filters import Condition, FieldSchema, FilterSpec, Match, MatchAny, Range

_SCROLL_PAGE = 2048
_UPSERT_BATCH = 1024


def _condition(c: Condition) -> qe.FieldCondition:
    if isinstance(c, Match):
        return qe.FieldCondition(c.field, match=qe.MatchValue(c.value))
    if isinstance(c, MatchAny):
        return qe.FieldCondition(c.field, match=qe.MatchAny(list(c.values)))
    if isinstance(c, Range):
        return qe.FieldCondition(c.field, range=qe.RangeFloat(gte=c.gte, lte=c.lte, gt=c.gt, lt=c.lt))
    raise TypeError(f"unsupported condition {c!r}")


def to_edge_filter(spec: FilterSpec | None) -> qe.Filter | None:
    if not spec:
        return None
    return qe.Filter(must=[_condition(c) for c in spec.must] or None,
                     must_not=[_condition(c) for c in spec.must_not] or None)


def _schema(f: FieldSchema) -> Any:
    if f.kind == "keyword":
        return qe.KeywordIndexParams(is_tenant=True) if f.tenant else qe.PayloadSchemaType.Keyword
    return {"bool": qe.PayloadSchemaType.Bool, "float": qe.PayloadSchemaType.Float,
            "integer": qe.PayloadSchemaType.Integer}[f.kind]


class EdgeBackend:
    name = "edge"

    def __init__(self, root: Path | str, *, hnsw_m: int = 16, hnsw_ef_construct: int = 100) -> None:
        self.root = Path(root)
        self._shards: dict[str, qe.EdgeShard] = {}
        self._lock = threading.RLock()
        self._hnsw = (hnsw_m, hnsw_ef_construct)

    # --- lifecycle -------------------------------------------------------------------------

    def _path(self, collection: str) -> Path:
        return self.root / collection

    def has_collection(self, collection: str) -> bool:
        p = self._path(collection)
        return collection in self._shards or (p.is_dir() and any(p.iterdir()))

    def _config(self, dim: int) -> qe.EdgeConfig:
        m, ef = self._hnsw
        return qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            hnsw_config=qe.HnswIndexConfig(m=m, ef_construct=ef, full_scan_threshold=10_000),
        )

    def _open(self, collection: str, dim: int | None = None,
              fields: Sequence[FieldSchema] = ()) -> qe.EdgeShard:
        with self._lock:
            shard = self._shards.get(collection)
            if shard is not None:
                return shard
            path = self._path(collection)
            try:
                if path.is_dir() and any(path.iterdir()):
                    shard = qe.EdgeShard.load(str(path))
                    if dim is not None:
                        params = shard_dense_size(path)
                        if params is not None and params != dim:
                            shard.close()
                            raise IncompatibleStoreError(
                                f"{path} holds {params}-d vectors but the embedder makes {dim}-d ones: "
                                "delete that directory and index again")
                elif dim is None:
                    raise StoreUnavailableError(
                        f"collection {collection!r} has not been indexed yet at {path}: run `concierge index`")
                else:
                    path.mkdir(parents=True, exist_ok=True)
                    shard = qe.EdgeShard.create(str(path), self._config(dim))
                    for f in fields:
                        shard.update(qe.UpdateOperation.create_field_index(f.name, _schema(f)))
            except (IncompatibleStoreError, StoreUnavailableError):
                raise
            except Exception as exc:  # the binding raises plain exceptions with the Rust message
                msg = str(exc)
                if "WouldBlock" in msg or "lock" in msg.lower():
                    raise StoreBusyError(str(path)) from exc
                raise StoreUnavailableError(f"cannot open Qdrant Edge shard at {path}: {msg}") from exc
            self._shards[collection] = shard
            return shard

    def ensure_collection(self, collection: str, dim: int, fields: Sequence[FieldSchema]) -> None:
        self._open(collection, dim, fields)

    def drop_collection(self, collection: str) -> None:
        with self._lock:
            shard = self._shards.pop(collection, None)
            if shard is not None:
                shard.close()
            shutil.rmtree(self._path(collection), ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            for shard in self._shards.values():
                try:
                    shard.flush()
                finally:
                    shard.close()
            self._shards.clear()

    # --- writes ----------------------------------------------------------------------------

    def upsert(self, collection: str, points: Sequence[StoredPoint]) -> None:
        shard = self._open(collection)
        for start in range(0, len(points), _UPSERT_BATCH):
            batch = [
                qe.Point(p.id, {DENSE: [float(x) for x in p.dense],
                                SPARSE: qe.SparseVector(list(p.sparse.indices), list(p.sparse.values))},
                         p.payload)
                for p in points[start:start + _UPSERT_BATCH]
            ]
            with self._lock:
                shard.update(qe.UpdateOperation.upsert_points(batch))

    def flush(self, collection: str) -> None:
        """Make writes durable. Called once per indexing run, not per batch: flushing after every
        batch made a 1M-point build disk-bound."""
        if collection in self._shards:
            with self._lock:
                self._shards[collection].flush()

    def delete(self, collection: str, point_ids: Sequence[str]) -> None:
        if not point_ids:
            return
        shard = self._open(collection)
        with self._lock:
            shard.update(qe.UpdateOperation.delete_points(list(point_ids)))

    def delete_where(self, collection: str, flt: FilterSpec) -> int:
        if not self.has_collection(collection):
            return 0
        shard = self._open(collection)
        f = to_edge_filter(flt)
        with self._lock:
            n = shard.count(qe.CountRequest(filter=f, exact=True))
            if n:
                shard.update(qe.UpdateOperation.delete_points_by_filter(f))
                shard.flush()
        return n

    def optimize(self, collection: str) -> None:
        shard = self._open(collection)
        with self._lock:
            shard.optimize()

    # --- reads -----------------------------------------------------------------------------

    def scroll_field(self, collection: str, fld: str, flt: FilterSpec | None = None) -> dict[str, Any]:
        if not self.has_collection(collection):
            return {}
        shard = self._open(collection)
        out: dict[str, Any] = {}
        offset = None
        f = to_edge_filter(flt)
        while True:
            records, offset = shard.scroll(qe.ScrollRequest(
                offset=offset, limit=_SCROLL_PAGE, filter=f,
                with_payload=qe.PayloadSelector.Include([fld]), with_vector=False))
            for r in records:
                out[str(r.id)] = (r.payload or {}).get(fld)
            if offset is None:
                return out

    def retrieve_field(self, collection: str, point_ids: Sequence[str], fld: str) -> dict[str, Any]:
        if not point_ids or not self.has_collection(collection):
            return {}
        records = self._open(collection).retrieve(list(point_ids),
                                                  with_payload=qe.PayloadSelector.Include([fld]),
                                                  with_vector=False)
        return {str(r.id): (r.payload or {}).get(fld) for r in records}

    def count(self, collection: str, flt: FilterSpec | None = None) -> int:
        if not self.has_collection(collection):
            return 0
        return int(self._open(collection).count(qe.CountRequest(filter=to_edge_filter(flt), exact=True)))

    def _request(self, r: HybridRequest) -> qe.QueryRequest:
        f = to_edge_filter(r.filter)
        params = qe.SearchParams(exact=r.exact, hnsw_ef=None if r.exact else r.hnsw_ef)
        dense_q = (qe.Query.Nearest([float(x) for x in r.dense], using=DENSE)
                   if r.dense is not None else None)
        sparse_q = (qe.Query.Nearest(qe.SparseVector(list(r.sparse.indices), list(r.sparse.values)),
                                     using=SPARSE) if r.sparse else None)
        if r.mode == "hybrid" and dense_q is not None and sparse_q is not None:
            return qe.QueryRequest(
                limit=r.limit,
                prefetches=[qe.Prefetch(limit=r.prefetch_limit, query=dense_q, params=params, filter=f),
                            qe.Prefetch(limit=r.prefetch_limit, query=sparse_q, filter=f)],
                query=qe.Fusion.Rrf(k=r.rrf_k, weights=list(r.rrf_weights) if r.rrf_weights else None), filter=f, with_payload=True)
        if r.mode == "bm25":
            if sparse_q is None:
                return qe.QueryRequest(limit=0, with_payload=True)
            return qe.QueryRequest(limit=r.limit, query=sparse_q, filter=f, with_payload=True)
        if dense_q is None:
            raise ValueError("a dense or hybrid search needs a dense vector")
        return qe.QueryRequest(limit=r.limit, query=dense_q, filter=f, params=params, with_payload=True)

    @staticmethod
    def _scored(points: Sequence[Any]) -> list[ScoredPayload]:
        return [ScoredPayload(str(p.id), float(p.score), dict(p.payload or {})) for p in points]

    def query(self, collection: str, request: HybridRequest) -> list[ScoredPayload]:
        shard = self._open(collection)
        req = self._request(request)
        if req.limit == 0:
            return []
        return self._scored(shard.query(req))

    def query_batch(self, collection: str, requests: Sequence[HybridRequest]) -> list[list[ScoredPayload]]:
        shard = self._open(collection)
        reqs = [self._request(r) for r in requests]
        live = [q for q in reqs if q.limit > 0]
        results = iter(shard.query_batch(qe.QueryBatchRequest(live)) if live else [])
        return [self._scored(next(results)) if q.limit > 0 else [] for q in reqs]

    def info(self, collection: str) -> dict[str, int]:
        i = self._open(collection).info()
        return {"points": i.points_count, "segments": i.segments_count,
                "indexed_vectors": i.indexed_vectors_count}


def shard_dense_size(path: Path) -> int | None:
    """The dense vector size recorded in a shard's config file, if it can be read."""
    import json

    for name in ("edge_config.json", "config.json"):
        p = path / name
        if p.exists():
            try:
                data = json.loads(p.read_text())
                return int(data["vectors"][DENSE]["size"])
            except (KeyError, ValueError, TypeError):
                return None
    return None
