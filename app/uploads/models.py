"""An upload in progress (or finished): how long it is, how much arrived, where it is going."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db
from app.models_base import BigIntPK


class Upload(BureauOwned, db.Model):
    """One resumable upload for a task's file field; becomes an `Attachment` when complete."""

    __tablename__ = "resumable_upload"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, unguessable
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    task_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("task.id"))
    field: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(12), default="uploading")  # uploading | complete | cancelled
    attachment_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("attachment.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_resumable_upload_status", "status", "updated_at"),)
