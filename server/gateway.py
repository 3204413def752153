"""The chat gateway's runtime: store, hub, locks, the per-conversation turn runner, the agent
and the handoff desk."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from agent.engine import Agent, TurnResult
from server.chat import ConnectionCounter, Limits
from server.conversations import ConversationStore, message_frame
from server.handoff_queue import HandoffQueue
from server.handoffs import CLAIM_WAIT_S, HandoffDesk
from server.hub import Hub
from server.locks import ConversationLocks, LocalLocks
from server.presence import LocalPresence, Presence
from tools.session import ToolSession

log = logging.getLogger(__name__)
INTERNAL_ERROR_TEXT = ("Sorry, something went wrong on our side. Your message is saved; "
                       "would you like to talk to a person?")
TURN_LOCK_WAIT_S = 60.0  # longer than a killed instance's lease (server/locks.py)
PERSON_HINT_S = 120.0


class TurnRunner:
    """Answers a conversation's stored shopper messages in seq order, one at a time, each under
    the conversation's lock (in-process or Redis), so across all instances one worker runs a
    conversation's turn and a staff claim waits for it to finish."""

    def __init__(self, gateway: Gateway) -> None:
        self.gw = gateway
        self._draining: dict[str, bool] = {}  # conversation -> "kicked again while draining"
        self._tasks: set[asyncio.Task[None]] = set()

    def kick(self, conversation_id: str) -> None:
        if self.gw.with_person(conversation_id):
            return  # a person answers; the runner would only find that out from the database
        if conversation_id in self._draining:
            self._draining[conversation_id] = True
            return
        self._draining[conversation_id] = False
        task = asyncio.create_task(self._drain(conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, conversation_id: str) -> None:
        try:
            while await self._answer_next(conversation_id) or self._draining.get(conversation_id):
                self._draining[conversation_id] = False
        except Exception:
            log.exception("turn runner failed for conversation %s", conversation_id)
        finally:
            self._draining.pop(conversation_id, None)

    async def _answer_next(self, conversation_id: str) -> bool:
        """Answer the oldest unanswered shopper message; False when there is nothing to do."""
        store = self.gw.store
        async with self.gw.locks.hold(conversation_id, TURN_LOCK_WAIT_S) as owned:
            if not owned:
                log.info("conversation %s is busy elsewhere; its owner answers it", conversation_id)
                return False
            conv = await asyncio.to_thread(store.get, conversation_id)
            if conv is None or conv.status != "bot":
                return False
            pending = await asyncio.to_thread(store.unanswered, conversation_id)
            if not pending:
                return False
            await self.gw.answer(conv, pending[0])
            return True

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
    queue: HandoffQueue
    limits: Limits = field(default_factory=Limits)
    connections: ConnectionCounter = field(default_factory=ConnectionCounter)
    locks: ConversationLocks = field(default_factory=LocalLocks)
    presence: Presence = field(default_factory=LocalPresence)
    instance: str = "local"
    agent_workers: int = 12
    claim_wait_s: float = CLAIM_WAIT_S

    def __post_init__(self) -> None:
        # Turns wait on the LLM for seconds; they get threads of their own so that persisting
        # and acking a message (the default pool) never queues behind them.
        self.turn_pool = ThreadPoolExecutor(self.agent_workers, thread_name_prefix="agent-turn")
        self.runner = TurnRunner(self)
        self.desk = HandoffDesk(self, self.claim_wait_s)
        self._with_person: dict[str, float] = {}  # conversation -> when this process last saw a person on it
        self.hub.add_listener(self._watch)

    def with_person(self, conversation_id: str) -> bool:
        """Whether this process recently saw a person hold the conversation. A hint that spares
        the turn runner a lock and a query per shopper message; it lapses after PERSON_HINT_S
        without news, so a missed frame costs a query, never a silent bot."""
        seen = self._with_person.get(conversation_id)
        return seen is not None and time.monotonic() - seen < PERSON_HINT_S

    def forget_person(self, conversation_id: str) -> None:
        self._with_person.pop(conversation_id, None)

    def _watch(self, topic: str, frame: dict[str, Any]) -> None:
        kind, status = frame.get("type"), frame.get("status")
        if (kind == "handoff" and status == "accepted") or (kind == "message" and frame.get("role") == "staff"):
            self._with_person[topic] = time.monotonic()
        elif kind == "handoff":
            self._with_person.pop(topic, None)

    async def answer(self, conv: Any, shopper: Any) -> None:
        """Run one agent turn for `shopper` (a stored message) and publish the reply, unless a
        person took the conversation over meanwhile: then the bot stays silent."""
        conv_id = conv.id
        self.forget_person(conv_id)
        await self.hub.publish(conv_id, {"type": "typing", "role": "assistant", "state": True})
        session = ToolSession(session_id=conv_id, actor="agent", customer_id=conv.customer_id,
                              verified_by=conv.verified_by)

        def on_token(text: str) -> None:
            if conv_id not in self._with_person:  # a person took over mid-turn: stop streaming
                self.hub.publish_threadsafe(conv_id, {"type": "token", "text": text, "reply_to": shopper.seq})

        try:
            result: TurnResult = await asyncio.get_running_loop().run_in_executor(
                self.turn_pool, self.agent.run_turn, conv_id, shopper.text, session, on_token)
        except Exception:
            log.exception("agent turn failed for conversation %s", conv_id)
            stored = await asyncio.to_thread(self.store.append, conv_id, "assistant", INTERNAL_ERROR_TEXT,
                                             reply_to=shopper.seq, source="error", quick_replies=["Talk to a person"],
                                             only_if={"status": "bot"})
            if stored is not None:
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
            cards=result.cards or None, quick_replies=result.quick_replies or None, intent=result.understood.intent,
            only_if={"status": "bot"})
        if stored is not None:
            await self.hub.publish(conv_id, message_frame(stored.message))
        await self.hub.publish(conv_id, {"type": "typing", "role": "assistant", "state": False})
        if result.handoff and stored is not None:
            await self.desk.request(conv_id, result.handoff.get("trigger", "explicit"), result.handoff["reason"],
                                    result.handoff.get("summary", ""),
                                    announce=bool(result.handoff.get("announce")))
