"""Pub/sub of frames per conversation. In-process by default; Redis when several instances
serve one fleet (server/redis_hub.py)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any, Protocol

Frame = dict[str, Any]


class Hub(Protocol):
    def subscribe(self, conversation_id: str) -> asyncio.Queue[Frame]: ...

    def unsubscribe(self, conversation_id: str, queue: asyncio.Queue[Frame]) -> None: ...

    async def publish(self, conversation_id: str, frame: Frame) -> None: ...

    def publish_threadsafe(self, conversation_id: str, frame: Frame) -> None: ...


class LocalHub:
    """Fan-out to the sockets of this process. Must be created inside the running event loop."""

    def __init__(self) -> None:
        self._subs: dict[str, set[asyncio.Queue[Frame]]] = defaultdict(set)
        self._loop = asyncio.get_running_loop()

    def subscribe(self, conversation_id: str) -> asyncio.Queue[Frame]:
        q: asyncio.Queue[Frame] = asyncio.Queue(maxsize=1000)
        self._subs[conversation_id].add(q)
        return q

    def unsubscribe(self, conversation_id: str, queue: asyncio.Queue[Frame]) -> None:
        subs = self._subs.get(conversation_id)
        if subs is not None:
            subs.discard(queue)
            if not subs:
                del self._subs[conversation_id]

    def _deliver(self, conversation_id: str, frame: Frame) -> None:
        for q in list(self._subs.get(conversation_id, ())):
            if q.full():  # a stalled client loses live frames, never stored messages (resume replays them)
                continue
            q.put_nowait(frame)

    async def publish(self, conversation_id: str, frame: Frame) -> None:
        self._deliver(conversation_id, frame)

    def publish_threadsafe(self, conversation_id: str, frame: Frame) -> None:
        self._loop.call_soon_threadsafe(self._deliver, conversation_id, frame)
