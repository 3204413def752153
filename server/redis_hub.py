"""The hub across instances: every frame goes through Redis pub/sub, and each instance fans it
out to its own sockets. One pattern subscription per process, made before it serves, so no
subscribe/publish race; one writer task per process, so frames leave in the order published."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import redis.asyncio as redis

from server.hub import Frame, Listener, LocalHub

log = logging.getLogger(__name__)
PREFIX = "concierge:hub:"


class RedisHub:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.local = LocalHub()
        self._out: asyncio.Queue[tuple[str, Frame]] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()

    async def start(self) -> RedisHub:
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._write())]
        await asyncio.wait_for(self._subscribed.wait(), 30)
        return self

    # -- the Hub protocol: subscriptions are local; delivery comes back from Redis
    def subscribe(self, topic: str) -> asyncio.Queue[Frame]:
        return self.local.subscribe(topic)

    def unsubscribe(self, topic: str, queue: asyncio.Queue[Frame]) -> None:
        self.local.unsubscribe(topic, queue)

    def add_listener(self, listener: Listener) -> None:
        self.local.add_listener(listener)

    async def publish(self, topic: str, frame: Frame) -> None:
        self._out.put_nowait((topic, frame))

    def publish_threadsafe(self, topic: str, frame: Frame) -> None:
        self._loop.call_soon_threadsafe(self._out.put_nowait, (topic, frame))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.client.aclose()

    # -- the two loops; each survives Redis restarts (live frames in between are lost, stored
    #    messages are not: clients resume from their last seq)
    async def _read(self) -> None:
        backoff = 0.2
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(PREFIX + "*")
                self._subscribed.set()
                backoff = 0.2
                async for msg in pubsub.listen():
                    if msg.get("type") != "pmessage":
                        continue
                    self._dispatch(msg["channel"], msg["data"])
            except asyncio.CancelledError:
                await pubsub.aclose()
                raise
            except Exception as exc:
                log.warning("redis hub subscription lost (%s); retrying in %.1fs", exc, backoff)
                await pubsub.aclose()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _dispatch(self, channel: Any, data: Any) -> None:
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            frame = json.loads(data)
        except (TypeError, ValueError):
            log.warning("ignoring a malformed hub frame on %s", channel)
            return
        self.local.deliver(channel[len(PREFIX):], frame)

    async def _write(self) -> None:
        while True:
            topic, frame = await self._out.get()
            payload = json.dumps(frame, default=str)
            for attempt in range(5):
                try:
                    await self.client.publish(PREFIX + topic, payload)
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("redis publish failed (%s), attempt %d", exc, attempt + 1)
                    await asyncio.sleep(0.2 * 2**attempt)
