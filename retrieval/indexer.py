"""Incremental, idempotent ingestion: compare each document's content hash with the one stored
in its point's payload, embed and upsert only what changed, delete what disappeared from the
scopes being rebuilt. Running it twice in a row embeds nothing the second time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from retrieval.backends.base import StoredPoint, VectorBackend
from retrieval.collections import SPECS, Collection
from retrieval.documents import CONTENT_HASH, SCOPE, IndexDoc, point_id
from retrieval.embedding import Bm25Encoder, DenseEmbedder
from retrieval.filters import FilterSpec, Match, MatchAny

Progress = Callable[[int, int], None]
"""progress(done, total): called as batches are embedded."""


@dataclass(frozen=True)
class IndexStats:
    collection: str
    total: int
    embedded: int
    unchanged: int
    deleted: int

    def __str__(self) -> str:
        return (f"{self.collection}: {self.total} documents, {self.embedded} embedded, "
                f"{self.unchanged} unchanged, {self.deleted} deleted")


class Indexer:
    def __init__(self, backend: VectorBackend, dense: DenseEmbedder,
                 sparse: dict[Collection, Bm25Encoder], *, batch_size: int = 256,
                 hnsw_min_points: int = 20_000) -> None:
        self.backend = backend
        self.dense = dense
        self.sparse = sparse
        self.batch_size = batch_size
        self.hnsw_min_points = hnsw_min_points

    def embedder_id(self, collection: Collection) -> str:
        return f"{self.dense.model_id}|{self.sparse[collection].model_id}"

    def ensure(self, collection: Collection) -> None:
        self.backend.ensure_collection(collection.value, self.dense.dim, SPECS[collection].indexed)

    def sync(self, collection: Collection, docs: Iterable[IndexDoc], *,
             scopes: Sequence[str] | None = None, delete_stale: bool = True,
             progress: Progress | None = None) -> IndexStats:
        """Make `collection` hold `docs`. With delete_stale, points of the given scopes (default:
        the scopes the docs belong to) that are not among `docs` are deleted."""
        self.ensure(collection)
        name = collection.value
        eid = self.embedder_id(collection)
        wanted: dict[str, IndexDoc] = {}
        for d in docs:
            wanted[point_id(name, d.key)] = d
        scope_set = sorted(set(scopes) if scopes is not None else {d.scope for d in wanted.values()})
        existing: dict[str, str] = {}
        if scope_set:
            flt = FilterSpec(must=(MatchAny(SCOPE, tuple(scope_set)),))
            existing = self.backend.scroll_field(name, CONTENT_HASH, flt)
        todo = [(pid, d) for pid, d in wanted.items() if existing.get(pid) != d.content_hash(eid)]
        # Points whose key moved to another scope are not in `existing`; hash check covers them
        # because the upsert below overwrites by id.
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start:start + self.batch_size]
            self.upsert_docs(collection, batch)
            if progress:
                progress(min(start + self.batch_size, len(todo)), len(todo))
        if progress and not todo:
            progress(0, 0)
        stale = [pid for pid in existing if pid not in wanted] if delete_stale else []
        self.backend.delete(name, stale)
        if len(todo) and self.backend.count(name) >= self.hnsw_min_points:
            self.backend.optimize(name)
        return IndexStats(name, len(wanted), len(todo), len(wanted) - len(todo), len(stale))

    def upsert_docs(self, collection: Collection, items: Sequence[tuple[str, IndexDoc]]) -> None:
        if not items:
            return
        eid = self.embedder_id(collection)
        dense = self.dense.embed_documents([d.dense_text for _, d in items])
        bm25 = self.sparse[collection]
        points = [StoredPoint(id=pid, dense=dense[i], sparse=bm25.embed_document(d.sparse_text),
                              payload=d.stored_payload(eid))
                  for i, (pid, d) in enumerate(items)]
        self.backend.upsert(collection.value, points)

    def upsert_one(self, collection: Collection, doc: IndexDoc) -> bool:
        """Upsert a single document unless its stored hash is current. Returns True if embedded."""
        self.ensure(collection)
        pid = point_id(collection.value, doc.key)
        current = self.backend.retrieve_field(collection.value, [pid], CONTENT_HASH)
        if current.get(pid) == doc.content_hash(self.embedder_id(collection)):
            return False
        self.upsert_docs(collection, [(pid, doc)])
        return True

    def delete_scope(self, collection: Collection, scope: str) -> int:
        return self.backend.delete_where(collection.value, FilterSpec(must=(Match(SCOPE, scope),)))
