"""One owner per conversation at a time: the bot's turn worker, or a staff claim waiting for it.
In-process asyncio locks by default; Redis locks (with a lease kept alive while held) when
several instances share a fleet, so a killed instance's lock expires instead of hanging."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Protocol

import redis.asyncio as redis
from redis.exceptions import LockError

log = logging.getLogger(__name__)


class ConversationLocks(Protocol):
    def hold(self, conversation_id: str, wait_s: float) -> contextlib.AbstractAsyncContextManager[bool]:
        """Yields True when this holder owns the conversation, False when `wait_s` passed first."""
        ...


class LocalLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def hold(self, conversation_id: str, wait_s: float) -> AsyncIterator[bool]:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        try:
            await asyncio.wait_for(lock.acquire(), wait_s)
        except asyncio.TimeoutError:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(conversation_id, None)


class RedisLocks:
    def __init__(self, client: redis.Redis, lease_s: float = 15.0) -> None:
        self.client = client
        self.lease_s = lease_s
        self.instance = uuid.uuid4().hex[:8]

    @contextlib.asynccontextmanager
    async def hold(self, conversation_id: str, wait_s: float) -> AsyncIterator[bool]:
        lock = self.client.lock(f"concierge:lock:conv:{conversation_id}", timeout=self.lease_s,
                                blocking=True, blocking_timeout=wait_s, sleep=0.05, thread_local=False)
        if not await lock.acquire():
            yield False
            return
        keeper = asyncio.create_task(self._keep(lock))
        try:
            yield True
        finally:
            keeper.cancel()
            with contextlib.suppress(LockError, asyncio.CancelledError, Exception):
                await lock.release()

    async def _keep(self, lock: redis.lock.Lock) -> None:  # type: ignore[name-defined]
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                await lock.reacquire()
            except LockError:
                log.warning("lost the lease on %s", lock.name)
                return
