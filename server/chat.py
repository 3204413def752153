"""`/ws/chat`: the shopper's WebSocket (docs/protocol.md). Persist, then ack; one conversation is
processed by one worker at a time, in order; a reconnect resumes from the last seq seen."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, WebSocket

from server.auth import InvalidToken, verify_identity_token
from server.conversation_models import Conversation
from server.conversations import message_frame
from server.hub import QUEUE_TOPIC
from server.sockets import FrameSender, decode, dispatch, error, next_burst, serve

log = logging.getLogger(__name__)
router = APIRouter()

MAX_TEXT_CHARS = 4_000
MAX_CLIENT_ID = 128


@dataclass
class Limits:
    messages_per_minute: int = 20
    connections_per_address: int = 10


class ConnectionCounter:
    def __init__(self) -> None:
        self._open: dict[str, int] = defaultdict(int)

    def acquire(self, address: str, limit: int) -> bool:
        if self._open[address] >= limit:
            return False
        self._open[address] += 1
        return True

    def release(self, address: str) -> None:
        self._open[address] = max(0, self._open[address] - 1)


@dataclass
class RateLimiter:
    per_minute: int
    stamps: deque[float] = field(default_factory=deque)

    def allow(self) -> bool:
        now = time.monotonic()
        while self.stamps and now - self.stamps[0] > 60:
            self.stamps.popleft()
        if len(self.stamps) >= self.per_minute:
            return False
        self.stamps.append(now)
        return True


class ChatConnection(FrameSender):
    """One shopper socket."""

    def __init__(self, ws: WebSocket, gateway: Any) -> None:
        super().__init__(ws)
        self.gw = gateway
        self.conversation: Conversation | None = None
        self.queue: asyncio.Queue[dict[str, Any]] | None = None
        self.sender: asyncio.Task[None] | None = None
        self.rate = RateLimiter(gateway.limits.messages_per_minute)
        self.sent_seqs: set[int] = set()  # message seqs sent on this socket: replay and live never repeat
        self.last_wait: tuple[Any, Any] | None = None  # (position, available) last told, while queued
        self.queue_events: asyncio.Queue[dict[str, Any]] | None = None
        self.watcher: asyncio.Task[None] | None = None

    async def _pump(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            frame = await queue.get()
            if frame.get("type") == "typing" and frame.get("role") == "shopper":
                continue  # the shopper's own typing, on its way to staff
            if frame.get("type") == "message":
                # Already sent by the replay on attach. A set, not a high-water mark: across
                # instances a message can arrive after one with a higher seq.
                if frame["seq"] in self.sent_seqs:
                    continue
                self.sent_seqs.add(frame["seq"])
            if frame.get("type") == "handoff":
                self._note_wait(frame)
            await self.send(frame)

    def _note_wait(self, frame: dict[str, Any]) -> None:
        """Remember where the shopper stands in the queue, to tell them when it changes."""
        waiting = frame.get("status") in ("requested", "queued")
        self.last_wait = (frame.get("position"), frame.get("available")) if waiting else None

    async def _watch_queue(self, events: asyncio.Queue[dict[str, Any]]) -> None:
        """While queued: a new place, or a person coming online, is said at once."""
        while True:
            await next_burst(events, 0.2)
            if self.last_wait is None or self.conversation is None:
                continue  # not queued: nothing to recompute
            conv = await asyncio.to_thread(self.gw.store.get, self.conversation.id)
            if conv is None or conv.status != "queued":
                continue
            frame = await self._handoff_state(conv)
            if (frame.get("position"), frame.get("available")) != self.last_wait:
                self._note_wait(frame)
                await self.send(frame)

    async def _attach(self, conv: Conversation, last_seq: int, resumed: bool) -> None:
        await self._detach()
        self.conversation = conv
        self.queue = self.gw.hub.subscribe(conv.id)
        await self.send({"type": "session", "conversation_id": conv.id, "last_seq": conv.last_seq,
                         "resumed": resumed, "channel": conv.channel,
                         "customer": await asyncio.to_thread(self.gw.customer_summary, conv.customer_id)})
        self.sent_seqs = set()
        for m in await asyncio.to_thread(self.gw.store.since, conv.id, last_seq):
            await self.send(message_frame(m))
            self.sent_seqs.add(m.seq)
        self.last_wait = None
        if conv.status in ("queued", "human"):  # a resumed conversation: where its handoff stands
            state = await self._handoff_state(conv)
            self._note_wait(state)
            await self.send(state)
        self.sender = asyncio.create_task(self._pump(self.queue))
        self.queue_events = self.gw.hub.subscribe(QUEUE_TOPIC)
        self.watcher = asyncio.create_task(self._watch_queue(self.queue_events))
        self.gw.runner.kick(conv.id)  # answer anything acked but not yet answered (e.g. after a restart)

    async def _detach(self) -> None:
        if self.sender is not None:
            self.sender.cancel()
            self.sender = None
        if self.watcher is not None:
            self.watcher.cancel()
            self.watcher = None
        if self.queue_events is not None:
            self.gw.hub.unsubscribe(QUEUE_TOPIC, self.queue_events)
            self.queue_events = None
        if self.conversation is not None and self.queue is not None:
            self.gw.hub.unsubscribe(self.conversation.id, self.queue)
        self.queue = None

    # ------------------------------------------------------------------ frames

    async def on_hello(self, frame: dict[str, Any], verified_customer: str | None = None) -> None:
        """`verified_customer`: an identity the server already verified on this socket (carried
        into a new conversation after a close); never read from the frame."""
        customer_id = verified_customer
        identity = frame.get("identity")
        if identity:
            try:
                customer_id = verify_identity_token(self.gw.identity_secret, str(identity))
            except InvalidToken as exc:
                await self.send(error("bad_identity", f"The sign-in token was not accepted ({exc}); "
                                                      "continuing without sign-in."))
        channel = frame.get("channel") if frame.get("channel") in ("web", "kiosk") else "web"
        store_id = frame.get("store_id") if isinstance(frame.get("store_id"), str) else None
        conv_id = frame.get("conversation_id")
        last_seq = frame.get("last_seq", 0)
        if not isinstance(last_seq, int) or isinstance(last_seq, bool) or last_seq < 0:
            last_seq = 0
        if isinstance(conv_id, str) and conv_id:
            conv = await asyncio.to_thread(self.gw.store.get, conv_id[:64])
            if conv is None or conv.status == "closed":
                await self.send(error("unknown_conversation", "That conversation can't be resumed; "
                                                              "starting a new one."))
            elif conv.customer_id and customer_id and conv.customer_id != customer_id:
                await self.send(error("unknown_conversation", "That conversation belongs to another "
                                                              "sign-in; starting a new one."))
            else:
                if customer_id and not conv.customer_id:
                    await asyncio.to_thread(self.gw.store.set_identity, conv.id, customer_id, "website_identity")
                    conv.customer_id, conv.verified_by = customer_id, "website_identity"
                await self._attach(conv, last_seq, resumed=True)
                return
        conv = await asyncio.to_thread(self.gw.store.create, channel=channel, store_id=store_id,
                                       customer_id=customer_id,
                                       verified_by="website_identity" if customer_id else None)
        await self._attach(conv, 0, resumed=False)

    async def on_message(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id")
        if not isinstance(client_id, str) or not client_id or len(client_id) > MAX_CLIENT_ID:
            await self.send(error("bad_frame", "A message needs a client_id (a string of at most 128 characters)."))
            return
        text = frame.get("text")
        if not isinstance(text, str) or not text.strip():
            await self.send(error("bad_frame", "A message needs non-empty text.", client_id))
            return
        if len(text) > MAX_TEXT_CHARS:
            await self.send(error("too_large", f"Messages are limited to {MAX_TEXT_CHARS} characters.", client_id))
            return
        if not self.rate.allow():
            await self.send(error("rate_limited", "You're sending messages very fast; please wait a moment.",
                                  client_id))
            return
        conv_id = (await self._current()).id
        appended = await asyncio.to_thread(self.gw.store.append, conv_id, "shopper", text.strip(),
                                           client_id=client_id)
        assert appended is not None
        await self.send({"type": "ack", "client_id": client_id, "seq": appended.message.seq})
        if not appended.duplicate:
            await self.gw.hub.publish(conv_id, message_frame(appended.message))
        self.gw.runner.kick(conv_id)

    async def on_typing(self, frame: dict[str, Any]) -> None:
        if self.conversation is not None:
            await self.gw.hub.publish(self.conversation.id,
                                      {"type": "typing", "role": "shopper", "state": bool(frame.get("state"))})

    async def _handoff_state(self, conv: Conversation) -> dict[str, Any]:
        if conv.status == "human":
            return {"type": "handoff", "status": "accepted", "staff": conv.assigned_staff,
                    "reason": conv.handoff_reason or "", "text": f"You're chatting with {conv.assigned_staff}."}
        online = await self.gw.presence.online(conv.store_id)
        info = await asyncio.to_thread(self.gw.queue.wait_info, conv.id, online)
        return {"type": "handoff", "status": "queued", "reason": conv.handoff_reason or "", "text": info.text,
                "position": info.position, "estimated_wait_s": info.estimated_wait_s, "available": info.available}

    async def _current(self) -> Conversation:
        """This socket's conversation, opening a new one when there is none or it was closed."""
        if self.conversation is not None:
            fresh = await asyncio.to_thread(self.gw.store.get, self.conversation.id)
            if fresh is not None and fresh.status != "closed":
                self.conversation = fresh
                return fresh
        hello: dict[str, Any] = {"type": "hello"}
        verified = None
        if self.conversation is not None:  # keep the channel, store and sign-in of the closed one
            hello.update(channel=self.conversation.channel, store_id=self.conversation.store_id)
            if self.conversation.verified_by == "website_identity":
                verified = self.conversation.customer_id
        await self.on_hello(hello, verified)
        assert self.conversation is not None
        return self.conversation

    async def on_handoff_request(self, frame: dict[str, Any]) -> None:
        conv = await self._current()
        reason = frame.get("reason") if isinstance(frame.get("reason"), str) else ""
        kiosk = conv.channel == "kiosk" and reason.startswith("kiosk")
        trigger = "kiosk" if kiosk else "button"
        reason = reason[:200] or "the shopper pressed 'talk to a person'"
        await self.gw.desk.request(conv.id, trigger, reason, f"Handoff: {reason}.")

    async def on_handoff_cancel(self, frame: dict[str, Any]) -> None:
        if self.conversation is None or not await self.gw.desk.cancel(self.conversation.id):
            await self.send(error("not_queued", "There is no queued request for a person to cancel "
                                                "(a member of our team may already have joined)."))

    async def on_end(self, frame: dict[str, Any]) -> None:
        if self.conversation is None or not await self.gw.desk.end(self.conversation.id):
            await self.send(error("unknown_conversation", "There is no open conversation to end."))

    async def handle(self, raw: str) -> bool:
        frame, problem = decode(raw)
        if frame is None:
            await self.send(problem)  # type: ignore[arg-type]
            return True
        await dispatch(self, frame, {"hello": self.on_hello, "message": self.on_message, "typing": self.on_typing,
                                     "handoff_request": self.on_handoff_request,
                                     "handoff_cancel": self.on_handoff_cancel, "end": self.on_end})
        return True


@router.websocket("/ws/chat")
async def chat_socket(ws: WebSocket) -> None:
    gateway = ws.app.state.gateway
    address = ws.client.host if ws.client else "unknown"
    await ws.accept()
    if not gateway.connections.acquire(address, gateway.limits.connections_per_address):
        await ws.send_text(json.dumps(error("too_many_connections", "Too many open chats from your address.")))
        await ws.close(code=1008)
        return
    conn = ChatConnection(ws, gateway)
    try:
        await serve(ws, conn, name="chat")
    finally:
        await conn._detach()
        gateway.connections.release(address)
