"""Incremental, idempotent ingestion: compare each document's content hash with the one stored
in its point's payload, embed and upsert only what changed, delete what disappeared from the
scopes being rebuilt. Running it twice in a row embeds nothing the second time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence, Sized
from dataclasses import dataclass

from retrieval.backends.base import StoredPoint, VectorBackend
from retrieval.collections import SPECS, Collection
from retrieval.documents import CONTENT_HASH, SCOPE, IndexDoc, point_id
from retrieval.embedding import Bm25Encoder, DenseEmbedder
from retrieval.filters import FilterSpec, Match, MatchAny

Progress = Callable[[int, "int | None"], None]
"""progress(done, total): documents looked at so far, and the total when it is known."""


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
             scopes: Sequence[str], delete_stale: bool = True,
             progress: Progress | None = None) -> IndexStats:
        """Make the given scopes of `collection` hold exactly `docs` (streamed, so a million
        documents never sit in memory at once). Points of those scopes not among `docs` are
        deleted when delete_stale is set."""
        self.ensure(collection)
        name = collection.value
        eid = self.embedder_id(collection)
        existing: dict[str, str] = {}
        if scopes:
            flt = FilterSpec(must=(MatchAny(SCOPE, tuple(sorted(set(scopes)))),))
            existing = self.backend.scroll_field(name, CONTENT_HASH, flt)
        total = len(docs) if isinstance(docs, Sized) else None
        seen: set[str] = set()
        batch: list[tuple[str, IndexDoc, str]] = []
        embedded = done = 0
        for d in docs:
            pid = point_id(name, d.key)
            seen.add(pid)
            done += 1
            h = d.content_hash(eid)
            if existing.get(pid) != h:
                batch.append((pid, d, h))
            if len(batch) >= self.batch_size:
                self.upsert_docs(collection, batch)
                embedded += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            self.upsert_docs(collection, batch)
            embedded += len(batch)
        if progress:
            progress(done, total)
        stale = [pid for pid in existing if pid not in seen] if delete_stale else []
        self.backend.delete(name, stale)
        self.backend.flush(name)
        if embedded and self.backend.count(name) >= self.hnsw_min_points:
            self.backend.optimize(name)
        return IndexStats(name, len(seen), embedded, len(seen) - embedded, len(stale))

    def upsert_docs(self, collection: Collection, items: Sequence[tuple[str, IndexDoc, str]]) -> None:
        """items: (point id, document, its content hash)."""
        if not items:
            return
        eid = self.embedder_id(collection)
        dense = self.dense.embed_documents([d.dense_text for _, d, _ in items])
        bm25 = self.sparse[collection]
        points = [StoredPoint(id=pid, dense=dense[i], sparse=bm25.embed_document(d.sparse_text),
                              payload=d.stored_payload(eid, h))
                  for i, (pid, d, h) in enumerate(items)]
        self.backend.upsert(collection.value, points)

    def upsert_one(self, collection: Collection, doc: IndexDoc) -> bool:
        """Upsert a single document unless its stored hash is current. Returns True if embedded."""
        self.ensure(collection)
        pid = point_id(collection.value, doc.key)
        current = self.backend.retrieve_field(collection.value, [pid], CONTENT_HASH)
        h = doc.content_hash(self.embedder_id(collection))
        if current.get(pid) == h:
            return False
        self.upsert_docs(collection, [(pid, doc, h)])
        self.backend.flush(collection.value)
        return True

    def delete_scope(self, collection: Collection, scope: str) -> int:  # delete_where flushes
        return self.backend.delete_where(collection.value, FilterSpec(must=(Match(SCOPE, scope),)))
