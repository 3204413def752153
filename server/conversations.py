"""The conversation store: every message is persisted, with its sequence number, before it is
acknowledged. Sync (SQLAlchemy); the async gateway calls it in a worker thread."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from server.conversation_models import Conversation, Message
from tools.db import migrate

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def migrate_server(engine: Engine) -> None:
    migrate(engine, MIGRATIONS)


def message_frame(m: Message) -> dict[str, Any]:
    """The `message` frame of docs/protocol.md."""
    frame: dict[str, Any] = {"type": "message", "seq": m.seq, "role": m.role, "text": m.text,
                             "created_at": (m.created_at or datetime.now(timezone.utc)).isoformat()}
    if m.client_id:
        frame["client_id"] = m.client_id
    if m.reply_to is not None:
        frame["reply_to"] = m.reply_to
    if m.cards:
        frame["cards"] = m.cards
    if m.quick_replies:
        frame["quick_replies"] = m.quick_replies
    if m.author and m.role == "staff":
        frame["author"] = m.author
    return frame


@dataclass
class Appended:
    message: Message
    duplicate: bool


class ConversationStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def create(self, *, channel: str = "web", store_id: str | None = None, customer_id: str | None = None,
               verified_by: str | None = None) -> Conversation:
        conv = Conversation(id=uuid.uuid4().hex, channel=channel, store_id=store_id, customer_id=customer_id,
                            verified_by=verified_by, status="bot", last_seq=0)
        with self.sessions.begin() as db:
            db.add(conv)
        return conv

    def get(self, conversation_id: str) -> Conversation | None:
        with self.sessions() as db:
            return db.get(Conversation, conversation_id)

    def set_identity(self, conversation_id: str, customer_id: str, verified_by: str) -> None:
        with self.sessions.begin() as db:
            db.execute(update(Conversation).where(Conversation.id == conversation_id)
                       .values(customer_id=customer_id, verified_by=verified_by, updated_at=datetime.now(timezone.utc)))

    def set_status(self, conversation_id: str, status: str, **values: Any) -> None:
        with self.sessions.begin() as db:
            db.execute(update(Conversation).where(Conversation.id == conversation_id)
                       .values(status=status, updated_at=datetime.now(timezone.utc), **values))

    def append(self, conversation_id: str, role: str, text: str, *, client_id: str | None = None,
               only_if: dict[str, Any] | None = None, **meta: Any) -> Appended | None:
        """Persist a message with the next seq; a repeated client_id returns the stored one.
        `only_if` ({"status": "bot"}, {"assigned_staff": name}) makes the append conditional on
        the conversation, in the same statement that allocates the seq: None when it does not hold.
        One transaction on the common path; a repeat is caught by the (conversation, client_id)
        unique constraint, which rolls the seq back with it."""
        try:
            with self.sessions.begin() as db:
                q = update(Conversation).where(Conversation.id == conversation_id)
                for column, value in (only_if or {}).items():
                    q = q.where(getattr(Conversation, column) == value)
                seq = db.execute(q.values(last_seq=Conversation.last_seq + 1, updated_at=datetime.now(timezone.utc))
                                 .returning(Conversation.last_seq)).scalar_one_or_none()
                if seq is None:
                    existing = self._by_client_id(conversation_id, client_id) if client_id else None
                    if existing is not None:  # stored before the condition stopped holding
                        return Appended(existing, True)
                    if only_if:
                        return None
                    raise LookupError(f"no conversation {conversation_id}")
                msg = Message(conversation_id=conversation_id, seq=seq, role=role, text=text,
                              client_id=client_id, **meta)
                db.add(msg)
        except IntegrityError:
            if client_id:
                existing = self._by_client_id(conversation_id, client_id)
                if existing is not None:
                    return Appended(existing, True)
            raise
        return Appended(msg, False)

    def _by_client_id(self, conversation_id: str, client_id: str) -> Message | None:
        with self.sessions() as db:
            return db.scalar(select(Message).where(Message.conversation_id == conversation_id,
                                                   Message.client_id == client_id))

    def annotate(self, message_id: int, intent: str, sentiment_label: str, sentiment_score: float) -> None:
        """Store what the agent understood of a shopper message (for the handoff policy and staff)."""
        with self.sessions.begin() as db:
            db.execute(update(Message).where(Message.id == message_id).values(
                intent=intent, sentiment_label=sentiment_label, sentiment_score=sentiment_score))

    def since(self, conversation_id: str, seq: int) -> list[Message]:
        with self.sessions() as db:
            return list(db.scalars(select(Message).where(Message.conversation_id == conversation_id,
                                                         Message.seq > seq).order_by(Message.seq)))

    def unanswered(self, conversation_id: str) -> list[Message]:
        """Shopper messages the bot still owes an answer: those after the last one it answered
        and after anything a person or the system said (a hand-back starts afresh), oldest first."""
        with self.sessions() as db:
            answered = db.scalar(select(func.max(Message.reply_to)).where(
                Message.conversation_id == conversation_id, Message.role.in_(("assistant",))))
            last_other = db.scalar(select(func.max(Message.seq)).where(
                Message.conversation_id == conversation_id, Message.role.in_(("staff", "system"))))
            floor = max(answered or 0, last_other or 0)
            return list(db.scalars(select(Message).where(
                Message.conversation_id == conversation_id, Message.role == "shopper", Message.seq > floor)
                .order_by(Message.seq)))

    def owned_by(self, staff: str) -> list[Conversation]:
        """Conversations a person holds now (a reconnecting console picks them up again)."""
        with self.sessions() as db:
            return list(db.scalars(select(Conversation).where(Conversation.status == "human",
                                                              Conversation.assigned_staff == staff)))

    def transcript(self, conversation_id: str) -> list[Message]:
        return self.since(conversation_id, 0)

    def forget_customer(self, customer_id: str) -> int:
        """Right to erasure: delete the customer's conversations and messages."""
        with self.sessions.begin() as db:
            ids = list(db.scalars(select(Conversation.id).where(Conversation.customer_id == customer_id)))
            if ids:
                db.execute(delete(Message).where(Message.conversation_id.in_(ids)))
                db.execute(delete(Conversation).where(Conversation.id.in_(ids)))
            return len(ids)
