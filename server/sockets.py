"""What /ws/chat and /ws/console share: frame decoding with clear errors, and the receive loop
that keeps a socket serving through bad frames, bugs and a dead database."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

log = logging.getLogger(__name__)
MAX_FRAME_BYTES = 16_384


def error(code: str, message: str, client_id: str | None = None) -> dict[str, Any]:
    frame = {"type": "error", "code": code, "message": message}
    if client_id is not None:
        frame["client_id"] = client_id
    return frame


def decode(raw: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(frame, None) for a JSON object with a string `type`, else (None, the error frame to send)."""
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        return None, error("too_large", f"Frames are limited to {MAX_FRAME_BYTES} bytes.")
    try:
        frame = json.loads(raw)
    except (json.JSONDecodeError, ValueError):
        return None, error("bad_json", "That frame was not valid JSON.")
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return None, error("bad_frame", "Frames are JSON objects with a string 'type'.")
    return frame, None


class FrameSender:
    """JSON frames to one socket, one at a time (several tasks send), none once it has closed."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self._send_lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        if self.ws.application_state != WebSocketState.CONNECTED:
            return
        async with self._send_lock:
            await self.ws.send_text(json.dumps(frame, default=str))


async def next_burst(events: asyncio.Queue[Any], settle_s: float) -> None:
    """Wait for an event, let the burst it starts settle, and swallow it: many changes, one reaction."""
    await events.get()
    await asyncio.sleep(settle_s)
    while not events.empty():
        events.get_nowait()


Handler = Callable[[dict[str, Any]], Awaitable[None]]


async def dispatch(conn: Connection, frame: dict[str, Any], handlers: Mapping[str, Handler]) -> None:
    """`ping` is answered here; an unknown type gets a clear error; the rest go to their handler."""
    kind = frame["type"]
    if kind == "ping":
        await conn.send({"type": "pong"})
    elif kind not in handlers:
        await conn.send(error("unknown_type", f"Unknown frame type '{kind[:40]}'."))
    else:
        await handlers[kind](frame)


class Connection(Protocol):
    async def send(self, frame: dict[str, Any]) -> None: ...

    async def handle(self, raw: str) -> bool:
        """False when the socket must close."""
        ...


async def serve(ws: WebSocket, conn: Connection, *, name: str, close_code: int = 1008) -> None:
    """Receive text frames until the client leaves or `conn.handle` asks to close."""
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text")
            if raw is None:
                await conn.send(error("bad_frame", "Send JSON text frames, not binary."))
                continue
            try:
                keep = await conn.handle(raw)
            except (WebSocketDisconnect, RuntimeError):
                raise
            except Exception:  # a bug or a dead database must not kill the socket
                log.exception("error handling a %s frame", name)
                await conn.send(error("unavailable", "Something went wrong on our side; please try again."))
                continue
            if keep is False:
                await ws.close(code=close_code)
                return
    except (WebSocketDisconnect, RuntimeError):
        return
