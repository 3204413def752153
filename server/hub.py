"""Pub/sub of frames per topic (a conversation id, or QUEUE_TOPIC for queue changes).
In-process by default; `server/redis_hub.py` when several instances serve one fleet."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

Frame = dict[str, Any]
Listener = Callable[[str, Frame], None]
QUEUE_TOPIC = "__queue__"
log = logging.getLogger(__name__)


class Hub(Protocol):
    def subscribe(self, topic: str) -> asyncio.Queue[Frame]: ...

    def unsubscribe(self, topic: str, queue: asyncio.Queue[Frame]) -> None: ...

    async def publish(self, topic: str, frame: Frame) -> None: ...

    def publish_threadsafe(self, topic: str, frame: Frame) -> None: ...

    def add_listener(self, listener: Listener) -> None:
        """Called (on the event loop) with every frame this process receives, subscribed or not."""
        ...

    async def close(self) -> None: ...


class LocalHub:
    """Fan-out to the sockets of this process. Must be created inside the running event loop."""

    def __init__(self) -> None:
        self._subs: dict[str, set[asyncio.Queue[Frame]]] = defaultdict(set)
        self._listeners: list[Listener] = []
        self._loop = asyncio.get_running_loop()

    def subscribe(self, topic: str) -> asyncio.Queue[Frame]:
        q: asyncio.Queue[Frame] = asyncio.Queue(maxsize=1000)
        self._subs[topic].add(q)
        return q

    def unsubscribe(self, topic: str, queue: asyncio.Queue[Frame]) -> None:
        subs = self._subs.get(topic)
        if subs is not None:
            subs.discard(queue)
            if not subs:
                del self._subs[topic]

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def deliver(self, topic: str, frame: Frame) -> None:
        for listener in self._listeners:
            try:
                listener(topic, frame)
            except Exception:  # a listener's bug must not stop delivery
                log.exception("hub listener failed")
        for q in list(self._subs.get(topic, ())):
            if q.full():  # a stalled client loses live frames, never stored messages (resume replays them)
                continue
            q.put_nowait(frame)

    async def publish(self, topic: str, frame: Frame) -> None:
        self.deliver(topic, frame)

    def publish_threadsafe(self, topic: str, frame: Frame) -> None:
        self._loop.call_soon_threadsafe(self.deliver, topic, frame)

    async def close(self) -> None:
        self._subs.clear()
