"""A row per timer worker, updated on every poll: the health check reads it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class WorkerHeartbeat(db.Model):
    """One running (or lately running) `flask worker` process, named host:pid."""

    __tablename__ = "worker_heartbeat"

    worker: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=30)
    handled: Mapped[int] = mapped_column(Integer, default=0)  # cases whose timers it fired since it started
