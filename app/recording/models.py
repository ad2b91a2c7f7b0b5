"""The 音像记录事项清单: one row per procedure step that must be recorded on audio/video."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db

METHODS = ("video", "audio", "audio_video", "photo_video")


class RecordingItem(BureauOwned, db.Model):
    """A step (process and BPMN element) on the list: how it is recorded and by whom. Only active rows bind."""

    __tablename__ = "recording_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    element_id: Mapped[str] = mapped_column(String(100))
    step_name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(20), default="audio_video")
    recorder: Mapped[str] = mapped_column(String(200))  # by whom
    note: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (UniqueConstraint("bureau_id", "process_id", "element_id", name="uq_recording_item_step"),)
