"""Generated enforcement documents (执法文书) and their number counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, false
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
    trial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # issued by a trial case

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("bureau_id", "doc_type", "year", "seq", "version", "trial",
                                       name="uq_document_number_version"),)


class BureauSettings(BureauOwned, db.Model):
    """The issuing bureau as its documents print it: one row per bureau (saved on its 机关设置 page).
    Read only through `documents.services.bureau.get_bureau`."""

    __tablename__ = "bureau_settings"
    __table_args__ = (UniqueConstraint("bureau_id", name="uq_bureau_settings_bureau_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    postcode: Mapped[str] = mapped_column(String(6), default="")
    reconsideration_body: Mapped[str] = mapped_column(String(200), default="")
    court: Mapped[str] = mapped_column(String(200), default="")
    bank_name: Mapped[str] = mapped_column(String(100), default="")
    account_name: Mapped[str] = mapped_column(String(100), default="")
    account_no: Mapped[str] = mapped_column(String(40), default="")
    signatory: Mapped[str] = mapped_column(String(50), default="")
    seal_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    seal_sha256: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship()
