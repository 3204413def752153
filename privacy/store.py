"""Where pseudonym maps live between turns.

A map holds the conversation's real PII, so it lives only as long as the conversation needs it
(`ttl_seconds`, `delete`), can be erased per customer (`forget`, the right to erasure), and is
encrypted with Fernet whenever it leaves process memory (`SqlPseudonymStore`). The key is
passed in by the composition root; several keys (newest first) allow rotation.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)

from privacy.pseudonyms import PseudonymMap


class PseudonymStore(Protocol):
    """Load/save a conversation's map; erase by conversation or by customer."""

    def load(self, conversation_id: str) -> PseudonymMap | None: ...

    def save(self, mapping: PseudonymMap) -> None: ...

    def delete(self, conversation_id: str) -> None: ...

    def forget(self, customer_id: str) -> int:
        """Remove every map of this customer; returns how many were removed."""
        ...

    def purge_expired(self) -> int: ...


class InMemoryPseudonymStore:
    """Process-local store for a single instance and tests; maps expire after `ttl_seconds`."""

    def __init__(self, ttl_seconds: float | None = 24 * 3600, clock=time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._maps: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"InMemoryPseudonymStore(conversations={len(self._maps)})"

    def _expired(self, stamp: float) -> bool:
        return self._ttl is not None and self._clock() - stamp > self._ttl

    def load(self, conversation_id: str) -> PseudonymMap | None:
        with self._lock:
            entry = self._maps.get(conversation_id)
            if entry is None:
                return None
            if self._expired(entry[0]):
                del self._maps[conversation_id]
                return None
        # a copy: callers mutate their map and save it back
        return PseudonymMap.from_json(entry[1])

    def save(self, mapping: PseudonymMap) -> None:
        with self._lock:
            self._maps[mapping.conversation_id] = (self._clock(), mapping.to_json())

    def delete(self, conversation_id: str) -> None:
        with self._lock:
            self._maps.pop(conversation_id, None)

    def forget(self, customer_id: str) -> int:
        with self._lock:
            doomed = [cid for cid, (_, data) in self._maps.items()
                      if PseudonymMap.from_json(data).customer_id == customer_id]
            for cid in doomed:
                del self._maps[cid]
        return len(doomed)

    def purge_expired(self) -> int:
        with self._lock:
            doomed = [cid for cid, (stamp, _) in self._maps.items() if self._expired(stamp)]
            for cid in doomed:
                del self._maps[cid]
        return len(doomed)


def fernet_from_keys(keys: str | bytes | Sequence[str | bytes]) -> MultiFernet:
    """A MultiFernet from one key or several (the first encrypts, all decrypt)."""
    if isinstance(keys, (str, bytes)):
        keys = [keys]
    if not keys:
        raise ValueError("at least one Fernet key is required")
    return MultiFernet([Fernet(k) for k in keys])


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


_metadata = MetaData()
pseudonym_maps = Table(
    "privacy_pseudonym_maps",
    _metadata,
    Column("conversation_id", String(128), primary_key=True),
    Column("customer_id", String(128), nullable=True, index=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("updated_at", DateTime(), nullable=False),  # naive UTC, portable across backends
)


class SqlPseudonymStore:
    """Maps in a table of their own (`privacy_pseudonym_maps`), Fernet-encrypted.

    Only the conversation and customer ids are in the clear (they are needed to look maps up
    and to erase them); the values and pseudonyms are in `ciphertext`.
    """

    def __init__(
        self,
        engine: Engine,
        keys: str | bytes | Sequence[str | bytes],
        ttl_seconds: float | None = 24 * 3600,
        create_table: bool = True,
    ) -> None:
        self._engine = engine
        self._fernet = fernet_from_keys(keys)
        self._ttl = ttl_seconds
        if create_table:
            _metadata.create_all(engine, tables=[pseudonym_maps])

    def __repr__(self) -> str:
        return f"SqlPseudonymStore(url={self._engine.url!r})"

    def _cutoff(self) -> datetime | None:
        if self._ttl is None:
            return None
        return _utcnow() - timedelta(seconds=self._ttl)

    def load(self, conversation_id: str) -> PseudonymMap | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(pseudonym_maps.c.ciphertext, pseudonym_maps.c.updated_at).where(
                    pseudonym_maps.c.conversation_id == conversation_id
                )
            ).first()
        if row is None:
            return None
        cutoff = self._cutoff()
        if cutoff is not None and row.updated_at < cutoff:
            self.delete(conversation_id)
            return None
        try:
            return PseudonymMap.from_json(self._fernet.decrypt(row.ciphertext).decode("utf-8"))
        except InvalidToken as exc:
            raise RuntimeError("pseudonym map cannot be decrypted with the configured keys") from exc

    def save(self, mapping: PseudonymMap) -> None:
        values = {
            "customer_id": mapping.customer_id,
            "ciphertext": self._fernet.encrypt(mapping.to_json().encode("utf-8")),
            "updated_at": _utcnow(),
        }
        with self._engine.begin() as conn:
            done = conn.execute(
                update(pseudonym_maps)
                .where(pseudonym_maps.c.conversation_id == mapping.conversation_id)
                .values(**values)
            )
            if done.rowcount == 0:
                conn.execute(insert(pseudonym_maps).values(conversation_id=mapping.conversation_id, **values))

    def delete(self, conversation_id: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(pseudonym_maps).where(pseudonym_maps.c.conversation_id == conversation_id))

    def forget(self, customer_id: str) -> int:
        with self._engine.begin() as conn:
            done = conn.execute(delete(pseudonym_maps).where(pseudonym_maps.c.customer_id == customer_id))
        return int(done.rowcount or 0)

    def purge_expired(self) -> int:
        cutoff = self._cutoff()
        if cutoff is None:
            return 0
        with self._engine.begin() as conn:
            done = conn.execute(delete(pseudonym_maps).where(pseudonym_maps.c.updated_at < cutoff))
        return int(done.rowcount or 0)
