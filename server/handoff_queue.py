"""The handoff queue, on the conversations table (so every instance sees one queue).

Priority = trigger weight + customer value + one point per minute waited. Every transition is a
compare-and-set UPDATE (bot → queued → human → bot/closed), so of two staff members claiming one
conversation on two instances exactly one wins, whatever the database."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from statistics import median
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from server.business_hours import BusinessHours
from server.conversation_models import Conversation, Message

# How urgent each trigger kind is (agent/handoff.py names them; "button" and "kiosk" come from the widget).
TRIGGER_WEIGHTS: dict[str, float] = {
    "policy": 40, "sentiment": 30, "llm_down": 25, "kiosk": 20, "explicit": 15, "button": 15,
    "failures": 10, "unsupported": 10, "assistant": 10}
ACTIVE = ("queued", "human")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


@dataclass
class QueueEntry:
    conversation_id: str
    status: str
    reason: str | None
    trigger: str | None
    priority: float
    waiting_s: int
    channel: str
    store_id: str | None
    customer_id: str | None
    customer_name: str | None
    assigned_staff: str | None
    last_message: str | None

    def frame(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WaitInfo:
    position: int | None
    estimated_wait_s: int | None
    available: bool
    text: str


class HandoffQueue:
    def __init__(self, sessions: sessionmaker[Session], hours: BusinessHours, *,
                 customer_value: Callable[[str | None], float] = lambda _c: 0.0,
                 customer_name: Callable[[str | None], str | None] = lambda _c: None,
                 default_handle_s: float = 300.0) -> None:
        self.sessions = sessions
        self.hours = hours
        self.customer_value = customer_value
        self.customer_name = customer_name
        self.default_handle_s = default_handle_s

    # ------------------------------------------------------------------ transitions (compare-and-set)
    def _cas(self, conversation_id: str, from_status: tuple[str, ...], extra: Any = None, **values: Any) -> bool:
        with self.sessions.begin() as db:
            q = update(Conversation).where(Conversation.id == conversation_id, Conversation.status.in_(from_status))
            if extra is not None:
                q = q.where(extra)
            return db.execute(q.values(updated_at=utcnow(), **values)).rowcount == 1

    def enqueue(self, conversation_id: str, trigger: str, reason: str, summary: str,
                customer_id: str | None) -> bool:
        """bot → queued; False when it is already queued, with a person, or closed."""
        base = TRIGGER_WEIGHTS.get(trigger, 10.0) + self.customer_value(customer_id)
        return self._cas(conversation_id, ("bot",), status="queued", handoff_trigger=trigger,
                         handoff_reason=reason, handoff_summary=summary, priority_base=base,
                         queued_at=utcnow(), claimed_at=None, assigned_staff=None)

    def cancel(self, conversation_id: str) -> bool:
        """The shopper leaves the queue (only before someone claims it)."""
        return self._cas(conversation_id, ("queued",), status="bot", ended_at=utcnow())

    def claim(self, conversation_id: str, staff: str) -> bool:
        """queued (or bot: staff may step in unasked) → human, owned by `staff`."""
        return self._cas(conversation_id, ("queued", "bot"), status="human", assigned_staff=staff,
                         claimed_at=utcnow())

    def release(self, conversation_id: str, staff: str) -> bool:
        return self._cas(conversation_id, ("human",), Conversation.assigned_staff == staff,
                         status="bot", ended_at=utcnow())

    def close(self, conversation_id: str, staff: str) -> bool:
        return self._cas(conversation_id, ("human",), Conversation.assigned_staff == staff,
                         status="closed", ended_at=utcnow())

    def end(self, conversation_id: str) -> str | None:
        """The shopper leaves (a kiosk wipe, a closed tab): closed whatever its state; the
        status it had, or None when it was already closed or unknown."""
        with self.sessions() as db:
            conv = db.get(Conversation, conversation_id)
        if conv is None or conv.status == "closed":
            return None
        return conv.status if self._cas(conversation_id, (conv.status,), status="closed", ended_at=utcnow()) else None

    # ------------------------------------------------------------------ reading
    def entries(self, *, store_id: str | None = None, all_stores: bool = True,
                now: datetime | None = None) -> list[QueueEntry]:
        """Queued and claimed conversations, highest priority first. A store's staff see that
        store's kiosk queue and the online (storeless) queue."""
        now = now or utcnow()
        with self.sessions() as db:
            q = select(Conversation).where(Conversation.status.in_(ACTIVE))
            if not all_stores:
                q = q.where(or_(Conversation.store_id.is_(None), Conversation.store_id == store_id))
            convs = list(db.scalars(q))
            last = self._last_messages(db, [c.id for c in convs])
        out = []
        for c in convs:
            queued_at = _aware(c.queued_at) or _aware(c.created_at) or now
            waiting = max(0, int((now - queued_at).total_seconds()))
            priority = round(c.priority_base + waiting / 60.0, 1) if c.status == "queued" else 0.0
            out.append(QueueEntry(c.id, c.status, c.handoff_reason, c.handoff_trigger, priority, waiting,
                                  c.channel, c.store_id, c.customer_id, self.customer_name(c.customer_id),
                                  c.assigned_staff, last.get(c.id)))
        out.sort(key=lambda e: (e.status != "queued", -e.priority, -e.waiting_s))
        return out

    @staticmethod
    def _last_messages(db: Session, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        newest = (select(Message.conversation_id, func.max(Message.seq).label("seq"))
                  .where(Message.conversation_id.in_(ids), Message.role == "shopper")
                  .group_by(Message.conversation_id).subquery())
        rows = db.execute(select(Message.conversation_id, Message.text).join(
            newest, (Message.conversation_id == newest.c.conversation_id) & (Message.seq == newest.c.seq)))
        return {cid: text[:200] for cid, text in rows}

    def handle_time_s(self) -> float:
        """Median time a person spent on the last 50 handled conversations (a default until 5)."""
        with self.sessions() as db:
            rows = db.execute(select(Conversation.claimed_at, Conversation.ended_at)
                              .where(Conversation.claimed_at.is_not(None), Conversation.ended_at.is_not(None))
                              .order_by(Conversation.ended_at.desc()).limit(50)).all()
        spans = [(_aware(b) - _aware(a)).total_seconds() for a, b in rows if a and b and b > a]  # type: ignore[operator]
        return median(spans) if len(spans) >= 5 else self.default_handle_s

    def wait_info(self, conversation_id: str, staff_online: int, now: datetime | None = None) -> WaitInfo:
        """Where the conversation stands and what the shopper is told."""
        now = now or utcnow()
        conv = None
        with self.sessions() as db:
            conv = db.get(Conversation, conversation_id)
        if conv is None or conv.status != "queued":
            return WaitInfo(None, None, staff_online > 0, "")
        same_queue = [e for e in self.entries(now=now) if e.status == "queued" and e.store_id == conv.store_id]
        position = next((i + 1 for i, e in enumerate(same_queue) if e.conversation_id == conversation_id), 1)
        handle = self.handle_time_s()
        opening = self.hours.next_open(now)
        if opening is not None:
            wait = int((opening - now).total_seconds() + position * handle / max(staff_online, 1))
            when = opening.strftime("%A %H:%M")
            return WaitInfo(position, wait, False,
                            f"Our team is away right now (hours: {self.hours.describe()}); they're back "
                            f"{when}. You're number {position} in the queue and they'll pick this up "
                            "then. You can keep chatting with the assistant meanwhile.")
        if staff_online == 0:
            wait = int(position * handle)
            return WaitInfo(position, wait, False,
                            f"No one from our team is free at the moment. You're number {position} in the "
                            f"queue; the estimated wait is {_minutes(wait)}. You can go back to the "
                            "assistant at any time.")
        wait = int(math.ceil(position / staff_online) * handle) if position > staff_online else 0
        text = (f"You're number {position} in the queue; the estimated wait is {_minutes(wait)}."
                if wait else "A member of our team will be with you shortly.")
        return WaitInfo(position, wait, True, text)


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes >= 90:
        return f"about {round(minutes / 60)} hours"
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"

