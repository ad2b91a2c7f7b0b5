"""Outbox events (one row per change to push) and the per-item counters that number them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db
from app.models_base import BigIntPK

STATUSES = ("pending", "delivered", "failed")


class OutboxEvent(BureauOwned, db.Model):
    """One event to deliver: `event_id` is the receiver's idempotency key, `seq` numbers an item's events 1, 2, …

    Delivery state: `pending` (due at `next_attempt_at`; `claimed_until` set while a worker is sending it),
    `delivered` (the receiver answered 2xx) or `failed` (gave up after the configured attempts; redeliver resets it).
    """

    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)  # also the feeds' cursor
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    topic: Mapped[str] = mapped_column(String(40))
    item_key: Mapped[str] = mapped_column(String(200))
    seq: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status of the last answer (None: no answer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("topic", "item_key", "seq", name="uq_outbox_event_item_seq"),
        Index("ix_outbox_event_due", "status", "next_attempt_at"),
        Index("ix_outbox_event_topic", "topic", "id"),
    )


class OutboxItemCounter(db.Model):
    """The last sequence number given to an item's events; its row is locked by the transaction that adds one."""

    __tablename__ = "outbox_item_counter"

    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
