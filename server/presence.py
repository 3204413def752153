"""Who is signed in to the console (for "no one is available" and the wait estimate).
In-process by default; a Redis sorted set of leases when several instances share a fleet."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Protocol

import redis.asyncio as redis

KEY = "concierge:staff_online"


class Presence(Protocol):
    lease_s: float

    async def join(self, name: str, store_id: str | None) -> str: ...

    async def beat(self, token: str) -> None: ...

    async def leave(self, token: str) -> None: ...

    async def online(self, store_id: str | None = None) -> int:
        """Distinct staff who can answer a conversation of `store_id` (None: the online queue)."""
        ...


def _member(name: str, store_id: str | None) -> str:
    return f"{uuid.uuid4().hex}|{store_id or ''}|{name}"


def _count(members: list[str], store_id: str | None) -> int:
    names = set()
    for m in members:
        _token, store, name = m.split("|", 2)
        if not store or store == store_id:
            names.add(name)
    return len(names)


class LocalPresence:
    lease_s = 30.0

    def __init__(self) -> None:
        self._members: Counter[str] = Counter()

    async def join(self, name: str, store_id: str | None) -> str:
        token = _member(name, store_id)
        self._members[token] += 1
        return token

    async def beat(self, token: str) -> None:
        return None  # in-process: a member lives exactly as long as its socket

    async def leave(self, token: str) -> None:
        self._members.pop(token, None)

    async def online(self, store_id: str | None = None) -> int:
        return _count(list(self._members), store_id)


class RedisPresence:
    def __init__(self, client: redis.Redis, lease_s: float = 30.0) -> None:
        self.client = client
        self.lease_s = lease_s

    async def join(self, name: str, store_id: str | None) -> str:
        token = _member(name, store_id)
        await self.beat(token)
        return token

    async def beat(self, token: str) -> None:
        await self.client.zadd(KEY, {token: time.time() + self.lease_s})

    async def leave(self, token: str) -> None:
        await self.client.zrem(KEY, token)

    async def online(self, store_id: str | None = None) -> int:
        now = time.time()
        await self.client.zremrangebyscore(KEY, "-inf", now)  # leases of killed instances run out
        members = await self.client.zrangebyscore(KEY, now, "+inf")
        return _count([m.decode() if isinstance(m, bytes) else m for m in members], store_id)
