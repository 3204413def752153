"""`/ws/console`: the staff console's WebSocket (docs/protocol.md). A staff member signs in with
a JWT, sees the queue live, claims conversations, talks to the shopper, runs CRM tools under
their own identity (audited), and hands the conversation back or closes it."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, WebSocket

from agent.brief import TranscriptLine, suggest, summarize
from server.auth import InvalidToken, StaffIdentity, verify_staff_token
from server.chat import MAX_CLIENT_ID, MAX_TEXT_CHARS
from server.conversations import message_frame
from server.hub import QUEUE_TOPIC
from server.sockets import FrameSender, decode, dispatch, error, next_burst, serve
from tools.session import ToolSession

log = logging.getLogger(__name__)
router = APIRouter()
QUEUE_REFRESH_S = 15.0
UNAUTHORIZED_CLOSE = 4401
FORWARDED = {"message", "handoff", "typing"}


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


class ConsoleConnection(FrameSender):
    def __init__(self, ws: WebSocket, gateway: Any, container: Any) -> None:
        super().__init__(ws)
        self.gw = gateway
        self.container = container
        self.staff: StaffIdentity | None = None
        self.presence_token: str | None = None
        self.subs: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.tasks: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ lifecycle
    async def on_hello(self, frame: dict[str, Any]) -> bool:
        try:
            self.staff = verify_staff_token(self.container.settings.staff_secret.get_secret_value(),
                                            str(frame.get("token") or ""))
        except InvalidToken as exc:
            await self.send(error("unauthorized", f"Sign in as staff first ({exc})."))
            return False
        self.presence_token = await self.gw.presence.join(self.staff.name, self.staff.store_id)
        await self.send({"type": "welcome", "instance": self.gw.instance,
                         "staff": {"name": self.staff.name, "store_id": self.staff.store_id}})
        queue_sub = self.gw.hub.subscribe(QUEUE_TOPIC)
        self.subs[QUEUE_TOPIC] = queue_sub
        self.tasks += [asyncio.create_task(self._pump_queue(queue_sub)), asyncio.create_task(self._refresh())]
        await self.send_queue()
        await self.gw.desk.queue_changed()  # others' "staff online" count changed
        for conv in await asyncio.to_thread(self.container.conversations.owned_by, self.staff.name):
            await self._attach(conv.id)  # a reconnect: the conversations this person still owns
        return True

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for topic, q in self.subs.items():
            self.gw.hub.unsubscribe(topic, q)
        self.subs.clear()
        if self.presence_token:
            await self.gw.presence.leave(self.presence_token)
            await self.gw.desk.queue_changed()

    async def _pump_queue(self, q: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            await next_burst(q, 0.05)
            await self.send_queue()

    async def _refresh(self) -> None:
        """Waiting times grow, presence leases need renewing: every 15 s."""
        while True:
            await asyncio.sleep(QUEUE_REFRESH_S)
            if self.presence_token:
                await self.gw.presence.beat(self.presence_token)
            await self.send_queue()

    async def send_queue(self) -> None:
        assert self.staff is not None
        store = self.staff.store_id
        entries = await asyncio.to_thread(self.gw.queue.entries, store_id=store, all_stores=store is None)
        await self.send({"type": "queue", "conversations": [e.frame() for e in entries],
                         "staff_online": await self.gw.presence.online(store)})

    async def _attach(self, conversation_id: str) -> None:
        """Follow a conversation this person owns, and send everything about it."""
        if conversation_id not in self.subs:
            q = self.gw.hub.subscribe(conversation_id)
            self.subs[conversation_id] = q
            self.tasks.append(asyncio.create_task(self._pump_conversation(conversation_id, q)))
        await self.send(await asyncio.to_thread(self._claimed_frame, conversation_id))

    def _detach(self, conversation_id: str) -> None:
        q = self.subs.pop(conversation_id, None)
        if q is not None:
            self.gw.hub.unsubscribe(conversation_id, q)

    async def _pump_conversation(self, conversation_id: str, q: asyncio.Queue[dict[str, Any]]) -> None:
        while conversation_id in self.subs:
            frame = await q.get()
            kind = frame.get("type")
            if kind not in FORWARDED or (kind == "typing" and frame.get("role") != "shopper"):
                continue
            await self.send({**frame, "conversation_id": conversation_id})
            if kind == "handoff" and frame.get("status") in ("released", "closed", "cancelled"):
                self._detach(conversation_id)
                return

    def _claimed_frame(self, conversation_id: str) -> dict[str, Any]:
        c = self.container
        conv = c.conversations.get(conversation_id)
        messages = c.conversations.transcript(conversation_id)
        lines = [TranscriptLine(m.role, m.text, m.intent, m.sentiment_label, m.sentiment_score) for m in messages]
        calls = c.audit_for_session(conversation_id, actor="agent")
        queued_at, claimed_at = _aware(conv.queued_at), _aware(conv.claimed_at)
        waited = int((claimed_at - queued_at).total_seconds()) if queued_at and claimed_at else None
        summary = summarize(lines, calls, reason=conv.handoff_reason, trigger=conv.handoff_trigger, waited_s=waited)
        customer, orders = c.customer_profile_and_orders(conv.customer_id)
        last = next((m.text for m in reversed(messages) if m.role == "shopper"), "")
        return {"type": "claimed", "conversation_id": conversation_id, "status": conv.status,
                "channel": conv.channel, "store_id": conv.store_id,
                "transcript": [message_frame(m) for m in messages], "summary": summary,
                "customer": customer, "orders": orders,
                "suggestions": suggest(last, c.retriever_or_none(), orders)}

    # ------------------------------------------------------------------ frames
    async def _owned(self, frame: dict[str, Any]) -> Any | None:
        """The conversation the frame names, if this person owns it (else an error is sent)."""
        assert self.staff is not None
        conv_id = frame.get("conversation_id")
        if not isinstance(conv_id, str) or not conv_id:
            await self.send(error("bad_frame", "This frame needs a conversation_id."))
            return None
        conv = await asyncio.to_thread(self.container.conversations.get, conv_id[:64])
        if conv is None:
            await self.send({**error("unknown_conversation", "No such conversation."), "conversation_id": conv_id})
            return None
        if conv.status != "human" or conv.assigned_staff != self.staff.name:
            await self.send({**error("not_owner", "Claim this conversation first; only its owner can do that."),
                             "conversation_id": conv_id})
            return None
        return conv

    async def on_claim(self, frame: dict[str, Any]) -> None:
        assert self.staff is not None
        conv_id = frame.get("conversation_id")
        if not isinstance(conv_id, str) or not conv_id:
            await self.send(error("bad_frame", "claim needs a conversation_id."))
            return
        problem = await self.gw.desk.claim(conv_id[:64], self.staff.name)
        if problem is not None:
            messages = {"unknown_conversation": "No such open conversation.",
                        "already_claimed": "Someone else has already taken this conversation.",
                        "busy": "The assistant is still answering; try again in a moment."}
            await self.send({**error(problem, messages[problem]), "conversation_id": conv_id})
            return
        await self._attach(conv_id[:64])

    async def on_message(self, frame: dict[str, Any]) -> None:
        assert self.staff is not None
        client_id, text = frame.get("client_id"), frame.get("text")
        if not isinstance(client_id, str) or not client_id or len(client_id) > MAX_CLIENT_ID:
            await self.send(error("bad_frame", "A message needs a client_id (a string of at most 128 characters)."))
            return
        if not isinstance(text, str) or not text.strip():
            await self.send(error("bad_frame", "A message needs non-empty text.", client_id))
            return
        if len(text) > MAX_TEXT_CHARS:
            await self.send(error("too_large", f"Messages are limited to {MAX_TEXT_CHARS} characters.", client_id))
            return
        conv_id = frame.get("conversation_id")
        if not isinstance(conv_id, str) or not conv_id:
            await self.send(error("bad_frame", "This frame needs a conversation_id.", client_id))
            return
        # Ownership is checked by the append itself (one statement): the hot path of a busy console.
        stored = await self.gw.desk.staff_message(conv_id[:64], self.staff.name, text.strip(), client_id)
        if stored is None:
            if await self._owned(frame) is not None:  # else _owned said why (unknown, or not yours)
                await self.send({**error("not_owner", "This conversation is no longer yours."),
                                 "conversation_id": conv_id})
            return
        await self.send({"type": "ack", "conversation_id": conv_id, "client_id": client_id,
                         "seq": stored.message.seq})

    async def on_typing(self, frame: dict[str, Any]) -> None:
        conv = await self._owned(frame)
        if conv is not None:
            await self.gw.hub.publish(conv.id, {"type": "typing", "role": "staff", "state": bool(frame.get("state"))})

    async def on_release(self, frame: dict[str, Any]) -> None:
        assert self.staff is not None
        conv = await self._owned(frame)
        if conv is not None and not await self.gw.desk.release(conv.id, self.staff.name):
            await self.send({**error("not_owner", "This conversation is no longer yours."), "conversation_id": conv.id})

    async def on_close(self, frame: dict[str, Any]) -> None:
        assert self.staff is not None
        conv = await self._owned(frame)
        if conv is not None and not await self.gw.desk.close(conv.id, self.staff.name):
            await self.send({**error("not_owner", "This conversation is no longer yours."), "conversation_id": conv.id})

    async def on_tool(self, frame: dict[str, Any]) -> None:
        assert self.staff is not None
        conv = await self._owned(frame)
        if conv is None:
            return
        name, arguments = frame.get("name"), frame.get("arguments", {})
        request_id = frame.get("request_id")
        if not isinstance(name, str) or not isinstance(arguments, dict):
            await self.send({**error("bad_frame", "tool needs a name and an arguments object."),
                             "conversation_id": conv.id})
            return
        session = ToolSession(session_id=conv.id, actor=f"staff:{self.staff.name}", customer_id=conv.customer_id,
                              verified_by=conv.verified_by)
        out = await asyncio.to_thread(self.container.tools.call, session, name, arguments)
        if session.customer_id and session.customer_id != conv.customer_id:
            await asyncio.to_thread(self.container.conversations.set_identity, conv.id, session.customer_id, "staff")
        result: dict[str, Any] = {"type": "tool_result", "conversation_id": conv.id, "name": name, "ok": out.ok}
        if request_id is not None:
            result["request_id"] = request_id
        result.update({"result": out.result} if out.ok else {"error": out.error, "code": out.code})
        await self.send(result)

    async def on_suggest(self, frame: dict[str, Any]) -> None:
        conv = await self._owned(frame)
        if conv is None:
            return
        c = self.container

        def build() -> list[dict[str, Any]]:
            messages = c.conversations.transcript(conv.id)
            last = next((m.text for m in reversed(messages) if m.role == "shopper"), "")
            return suggest(last, c.retriever_or_none(), c.customer_profile_and_orders(conv.customer_id)[1])

        await self.send({"type": "suggestions", "conversation_id": conv.id,
                         "suggestions": await asyncio.to_thread(build)})

    async def handle(self, raw: str) -> bool:
        """False when the socket must close (a failed sign-in)."""
        frame, problem = decode(raw)
        if frame is None:
            await self.send(problem)  # type: ignore[arg-type]
            return self.staff is not None
        kind = frame["type"]
        if self.staff is None:
            if kind != "hello":
                await self.send(error("unauthorized", "The first frame must be hello with a staff token."))
                return False
            return await self.on_hello(frame)
        await dispatch(self, frame, {"claim": self.on_claim, "message": self.on_message, "typing": self.on_typing,
                                     "release": self.on_release, "close": self.on_close, "tool": self.on_tool,
                                     "suggest": self.on_suggest})
        return True


@router.websocket("/ws/console")
async def console_socket(ws: WebSocket) -> None:
    gateway, container = ws.app.state.gateway, ws.app.state.container
    await ws.accept()
    conn = ConsoleConnection(ws, gateway, container)
    try:
        await serve(ws, conn, name="console", close_code=UNAUTHORIZED_CLOSE)
    finally:
        await conn.close()
