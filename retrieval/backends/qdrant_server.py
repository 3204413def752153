"""Production backend: a Qdrant server through `qdrant-client` (docker-compose). Same layout as
the Edge backend: collection per name, vectors 'dense' + 'bm25' (IDF), same payload indexes,
same RRF query. In tests `QdrantClient(":memory:")` (local mode) stands in for the server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qdrant_client import QdrantClient
from qdrant_client import models as qm

from retrieval.backends.base import HybridRequest, ScoredPayload, StoredPoint
from retrieval.collections import DENSE, SPARSE
from retrieval.errors import IncompatibleStoreError, StoreUnavailableError
from retrieval.filters import Condition, FieldSchema, FilterSpec, Match, MatchAny, Range

_BATCH = 512


def _condition(c: Condition) -> qm.FieldCondition:
    if isinstance(c, Match):
        return qm.FieldCondition(key=c.field, match=qm.MatchValue(value=c.value))
    if isinstance(c, MatchAny):
        return qm.FieldCondition(key=c.field, match=qm.MatchAny(any=list(c.values)))
    if isinstance(c, Range):
        return qm.FieldCondition(key=c.field, range=qm.Range(gte=c.gte, lte=c.lte, gt=c.gt, lt=c.lt))
    raise TypeError(f"unsupported condition {c!r}")


def to_client_filter(spec: FilterSpec | None) -> qm.Filter | None:
    if not spec:
        return None
    return qm.Filter(must=[_condition(c) for c in spec.must] or None,
                     must_not=[_condition(c) for c in spec.must_not] or None)


def _schema(f: FieldSchema) -> Any:
    if f.kind == "keyword":
        return (qm.KeywordIndexParams(type=qm.KeywordIndexType.KEYWORD, is_tenant=True) if f.tenant
                else qm.PayloadSchemaType.KEYWORD)
    return {"bool": qm.PayloadSchemaType.BOOL, "float": qm.PayloadSchemaType.FLOAT,
            "integer": qm.PayloadSchemaType.INTEGER}[f.kind]


def _sparse(v: Any) -> qm.SparseVector:
    return qm.SparseVector(indices=list(v.indices), values=list(v.values))


class QdrantServerBackend:
    name = "qdrant"

    def __init__(self, client: QdrantClient, *, prefix: str = "concierge_") -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def connect(cls, url: str, *, api_key: str | None = None, prefix: str = "concierge_",
                timeout: int = 10) -> QdrantServerBackend:
        try:
            if url == ":memory:":
                return cls(QdrantClient(":memory:"), prefix=prefix)
            return cls(QdrantClient(url=url, api_key=api_key, timeout=timeout), prefix=prefix)
        except Exception as exc:
            raise StoreUnavailableError(f"cannot reach Qdrant at {url}: {exc}") from exc

    def _name(self, collection: str) -> str:
        return self.prefix + collection

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (IncompatibleStoreError, StoreUnavailableError):
            raise
        except (ConnectionError, OSError) as exc:
            raise StoreUnavailableError(f"Qdrant server unavailable: {exc}") from exc
        except Exception as exc:
            if type(exc).__name__ in ("ResponseHandlingException", "ConnectError", "ConnectTimeout"):
                raise StoreUnavailableError(f"Qdrant server unavailable: {exc}") from exc
            raise

    def has_collection(self, collection: str) -> bool:
        return bool(self._call(self.client.collection_exists, self._name(collection)))

    def ensure_collection(self, collection: str, dim: int, fields: Sequence[FieldSchema]) -> None:
        name = self._name(collection)
        if self.has_collection(collection):
            info = self._call(self.client.get_collection, name)
            vectors = info.config.params.vectors
            size = vectors[DENSE].size if isinstance(vectors, dict) and DENSE in vectors else None
            if size != dim:
                raise IncompatibleStoreError(
                    f"Qdrant collection {name} has dense size {size}, the embedder makes {dim}: drop it "
                    "and index again")
            return
        self._call(self.client.create_collection, name,
                   vectors_config={DENSE: qm.VectorParams(size=dim, distance=qm.Distance.COSINE)},
                   sparse_vectors_config={SPARSE: qm.SparseVectorParams(modifier=qm.Modifier.IDF)})
        for f in fields:
            self._call(self.client.create_payload_index, name, f.name, field_schema=_schema(f))

    def drop_collection(self, collection: str) -> None:
        if self.has_collection(collection):
            self._call(self.client.delete_collection, self._name(collection))

    def close(self) -> None:
        self.client.close()

    def upsert(self, collection: str, points: Sequence[StoredPoint]) -> None:
        for start in range(0, len(points), _BATCH):
            batch = [qm.PointStruct(id=p.id, vector={DENSE: [float(x) for x in p.dense],
                                                     SPARSE: _sparse(p.sparse)}, payload=p.payload)
                     for p in points[start:start + _BATCH]]
            self._call(self.client.upsert, self._name(collection), batch, wait=True)

    def delete(self, collection: str, point_ids: Sequence[str]) -> None:
        if point_ids:
            self._call(self.client.delete, self._name(collection),
                       qm.PointIdsList(points=list(point_ids)), wait=True)

    def delete_where(self, collection: str, flt: FilterSpec) -> int:
        if not self.has_collection(collection):
            return 0
        f = to_client_filter(flt)
        n = self.count(collection, flt)
        if n:
            self._call(self.client.delete, self._name(collection), qm.FilterSelector(filter=f), wait=True)
        return n

    def flush(self, collection: str) -> None:
        """Writes use wait=True: already durable on the server."""

    def optimize(self, collection: str) -> None:
        """The server builds its HNSW index in the background; nothing to do."""

    def scroll_field(self, collection: str, fld: str, flt: FilterSpec | None = None) -> dict[str, Any]:
        if not self.has_collection(collection):
            return {}
        out: dict[str, Any] = {}
        offset = None
        while True:
            records, offset = self._call(self.client.scroll, self._name(collection),
                                         scroll_filter=to_client_filter(flt), limit=2048, offset=offset,
                                         with_payload=[fld], with_vectors=False)
            for r in records:
                out[str(r.id)] = (r.payload or {}).get(fld)
            if offset is None:
                return out

    def retrieve_field(self, collection: str, point_ids: Sequence[str], fld: str) -> dict[str, Any]:
        if not point_ids or not self.has_collection(collection):
            return {}
        records = self._call(self.client.retrieve, self._name(collection), list(point_ids),
                             with_payload=[fld], with_vectors=False)
        return {str(r.id): (r.payload or {}).get(fld) for r in records}

    def count(self, collection: str, flt: FilterSpec | None = None) -> int:
        if not self.has_collection(collection):
            return 0
        return int(self._call(self.client.count, self._name(collection),
                              count_filter=to_client_filter(flt), exact=True).count)

    def _request(self, r: HybridRequest) -> qm.QueryRequest | None:
        f = to_client_filter(r.filter)
        params = qm.SearchParams(exact=r.exact, hnsw_ef=None if r.exact else r.hnsw_ef)
        dense = [float(x) for x in r.dense] if r.dense is not None else None
        sparse = _sparse(r.sparse) if r.sparse else None
        if r.mode == "hybrid" and dense is not None and sparse is not None:
            return qm.QueryRequest(
                prefetch=[qm.Prefetch(query=dense, using=DENSE, limit=r.prefetch_limit, params=params, filter=f),
                          qm.Prefetch(query=sparse, using=SPARSE, limit=r.prefetch_limit, filter=f)],
                query=qm.RrfQuery(rrf=qm.Rrf(k=r.rrf_k, weights=list(r.rrf_weights) if r.rrf_weights else None)), filter=f, limit=r.limit, with_payload=True)
        if r.mode == "bm25":
            if sparse is None:
                return None
            return qm.QueryRequest(query=sparse, using=SPARSE, filter=f, limit=r.limit, with_payload=True)
        if dense is None:
            raise ValueError("a dense or hybrid search needs a dense vector")
        return qm.QueryRequest(query=dense, using=DENSE, filter=f, params=params, limit=r.limit,
                               with_payload=True)

    @staticmethod
    def _scored(points: Sequence[Any]) -> list[ScoredPayload]:
        return [ScoredPayload(str(p.id), float(p.score), dict(p.payload or {})) for p in points]

    def query(self, collection: str, request: HybridRequest) -> list[ScoredPayload]:
        return self.query_batch(collection, [request])[0]

    def query_batch(self, collection: str, requests: Sequence[HybridRequest]) -> list[list[ScoredPayload]]:
        if not self.has_collection(collection):
            raise StoreUnavailableError(
                f"collection {self._name(collection)!r} has not been indexed yet: run `concierge index`")
        reqs = [self._request(r) for r in requests]
        live = [q for q in reqs if q is not None]
        responses = iter(self._call(self.client.query_batch_points, self._name(collection), live)
                         if live else [])
        return [self._scored(next(responses).points) if q is not None else [] for q in reqs]
