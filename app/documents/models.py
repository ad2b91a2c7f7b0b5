"""Generated enforcement documents (执法文书) and their number counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db


class DocumentCounter(db.Model):
    """The last number issued per bureau, document type and year; incremented atomically in the caller's transaction."""

    __tablename__ = "document_counter"

    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureau.id"), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Document(BureauOwned, db.Model):
    """One version of a generated document, stored with its SHA-256 and linked to its case and step."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_case.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draw.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(100), default="")
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("bureau_id", "doc_type", "year", "seq", "version", name="uq_document_number_version"),
    )
