"""`IndexDoc`: the unit that gets embedded and stored, shared by every collection builder.

Its content hash (texts + payload + embedder id) is what makes indexing incremental: a point is
re-embedded only when this hash changes."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

# Fixed namespace: the same key always maps to the same point id, on every backend.
_POINT_NAMESPACE = uuid.UUID("6f1c1d0e-3b7a-5d2e-9a41-7c0a5b1e2f90")

# Payload keys written by the indexer itself (not part of a collection's filter schema).
RESULT_ID = "result_id"
TITLE = "title"
TEXT = "text"
SCOPE = "scope"
CONTENT_HASH = "content_hash"
RESERVED_KEYS = frozenset({RESULT_ID, TITLE, TEXT, SCOPE, CONTENT_HASH, "key"})


def point_id(collection: str, key: str) -> str:
    """Deterministic UUID for a document key: Qdrant ids must be ints or UUIDs."""
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{collection}\x1f{key}"))


@dataclass(frozen=True)
class IndexDoc:
    """A document ready to embed.

    key: unique within the collection (kb chunks add '#n' to the section id).
    result_id: what a search returns as `id` (chunks of one kb section share it).
    scope: the group re-indexed as a whole; points of a scope missing from a rebuild are deleted.
    dense_text / sparse_text: what the two embedders see (sparse omits negative facts such as
    'waterproof: no', whose words would otherwise match a search for the opposite).
    """

    key: str
    result_id: str
    title: str
    text: str
    dense_text: str
    sparse_text: str
    scope: str
    payload: dict[str, Any] = field(default_factory=dict)

    def content_hash(self, embedder_id: str) -> str:
        blob = json.dumps(
            [embedder_id, self.result_id, self.title, self.text, self.dense_text, self.sparse_text,
             self.scope, self.payload],
            sort_keys=True, default=str, ensure_ascii=False,
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def stored_payload(self, embedder_id: str, content_hash: str | None = None) -> dict[str, Any]:
        return {
            **self.payload,
            "key": self.key,
            RESULT_ID: self.result_id,
            TITLE: self.title,
            TEXT: self.text,
            SCOPE: self.scope,
            CONTENT_HASH: content_hash or self.content_hash(embedder_id),
        }
