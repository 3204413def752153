"""The chat gateway's runtime: store, hub, per-conversation turn runner and the agent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.engine import Agent, TurnResult
from server.chat import ConnectionCounter, Limits
from server.conversations import ConversationStore, message_frame
from server.hub import Hub
from tools.session import ToolSession

log = logging.getLogger(__name__)
INTERNAL_ERROR_TEXT = ("Sorry, something went wrong on our side. Your message is saved; "
                       "would you like to talk to a person?")


class TurnRunner:
    """One worker per conversation at a time: its shopper messages are answered in seq order."""

    def __init__(self, gateway: Gateway) -> None:
        self.gw = gateway
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def kick(self, conversation_id: str) -> None:
        task = asyncio.create_task(self._drain(conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, conversation_id: str) -> None:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        if lock.locked():
            return  # the running worker will pick the new message up
        async with lock:
            while True:
                conv = await asyncio.to_thread(self.gw.store.get, conversation_id)
                if conv is None or conv.status != "bot":
                    return
                pending = await asyncio.to_thread(self.gw.store.unanswered, conversation_id)
                if not pending:
                    return
                await self.gw.answer(conv, pending[0])

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


@dataclass
class Gateway:
    store: ConversationStore
    hub: Hub
    agent: Agent
    identity_secret: str
    customer_summary: Callable[[str | None], dict[str, Any] | None]
    limits: Limits = field(default_factory=Limits)
    connections: ConnectionCounter = field(default_factory=ConnectionCounter)

    def __post_init__(self) -> None:
        self.runner = TurnRunner(self)

    async def answer(self, conv: Any, shopper: Any) -> None:
        """Run one agent turn for `shopper` (a stored message) and publish the reply."""
        conv_id = conv.id
        await self.hub.publish(conv_id, {"type": "typing", "role": "assistant", "state": True})
        session = ToolSession(session_id=conv_id, actor="agent", customer_id=conv.customer_id,
                              verified_by=conv.verified_by)

        def on_token(text: str) -> None:
            self.hub.publish_threadsafe(conv_id, {"type": "token", "text": text, "reply_to": shopper.seq})

        try:
            result: TurnResult = await asyncio.to_thread(self.agent.run_turn, conv_id, shopper.text, session, on_token)
        except Exception:
            log.exception("agent turn failed for conversation %s", conv_id)
            stored = await asyncio.to_thread(self.store.append, conv_id, "assistant", INTERNAL_ERROR_TEXT,
                                             reply_to=shopper.seq, source="error", quick_replies=["Talk to a person"])
            await self.hub.publish(conv_id, message_frame(stored.message))
            await self.hub.publish(conv_id, {"type": "typing", "role": "assistant", "state": False})
            return
        if session.customer_id and session.customer_id != conv.customer_id:
            await asyncio.to_thread(self.store.set_identity, conv_id, session.customer_id,
                                    session.verified_by or "lookup")
        await asyncio.to_thread(self.store.annotate, shopper.id, result.understood.intent,
                                result.sentiment.label, result.sentiment.score)
        stored = await asyncio.to_thread(
            self.store.append, conv_id, "assistant", result.text, reply_to=shopper.seq, source=result.source,
            cards=result.cards or None, quick_replies=result.quick_replies or None, intent=result.understood.intent)
        await self.hub.publish(conv_id, message_frame(stored.message))
        await self.hub.publish(conv_id, {"type": "typing", "role": "assistant", "state": False})
        if result.handoff:
            await self.request_handoff(conv_id, result.handoff["reason"], result.handoff.get("summary", ""),
                                       announce=False)

    async def request_handoff(self, conv_id: str, reason: str, summary: str, *, announce: bool = True) -> None:
        await asyncio.to_thread(self.store.set_status, conv_id, "queued", handoff_reason=reason,
                                handoff_summary=summary)
        text = "You're in the queue for a member of our team; they'll see this conversation. Please stay here."
        if announce:
            stored = await asyncio.to_thread(self.store.append, conv_id, "system", text)
            await self.hub.publish(conv_id, message_frame(stored.message))
        await self.hub.publish(conv_id, {"type": "handoff", "status": "requested", "reason": reason, "text": text})
