"""Conversations and their messages (the server's own tables, migrated by server/migrations)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ServerBase(DeclarativeBase):
    metadata = MetaData()


class Conversation(ServerBase):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")
    store_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Identity, set only by the server: a verified JWT or a successful lookup tool call.
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    verified_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # bot | queued | human | closed
    status: Mapped[str] = mapped_column(String(16), default="bot", index=True)
    handoff_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    handoff_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    assigned_staff: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # The handoff queue: what triggered it, its priority before waiting time, and when.
    handoff_trigger: Mapped[str | None] = mapped_column(String(32), nullable=True)
    priority_base: Mapped[float] = mapped_column(Float, default=0.0)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Message(ServerBase):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_message_seq"),
                      UniqueConstraint("conversation_id", "client_id", name="uq_message_client_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # shopper | assistant | staff | system
    text: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reply_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author: Mapped[str | None] = mapped_column(String(128), nullable=True)
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sentiment_label: Mapped[str | None] = mapped_column(String(16), nullable=True)
    sentiment_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # llm | template
    cards: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    quick_replies: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffAccount(ServerBase):
    """A person who signs in to the console. The password is stored as a salted scrypt hash."""

    __tablename__ = "staff_accounts"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    store_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
