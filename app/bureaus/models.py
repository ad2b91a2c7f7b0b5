"""The bureau tree and the `BureauOwned` mixin every bureau-owned model inherits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db

LEVELS = ("province", "city", "county")


class Bureau(db.Model):
    """One archives bureau (档案局): its names (full, and short for document numbers) and its place in the tree."""

    __tablename__ = "bureau"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("bureau.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10), default="city")  # province | city | county
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    parent: Mapped[Bureau | None] = relationship(remote_side=[id])


class BureauOwned:
    """Mixin: the row belongs to one bureau. Reads are filtered and writes checked by `app.bureaus.scoping`."""

    @declared_attr
    def bureau_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        """The owning bureau (set from the current bureau context when a row is created)."""
        return mapped_column(ForeignKey("bureau.id"), index=True)


class Supervision(BureauOwned, db.Model):
    """挂牌督办: a higher bureau supervises one case of a lower bureau (the row belongs to the case's bureau,
    so the county sees its flag; the supervising bureau reads it through its upward view)."""

    __tablename__ = "case_supervision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("workflow_case.id"), index=True)
    supervising_bureau_id: Mapped[int] = mapped_column(ForeignKey("bureau.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    report_every_days: Mapped[int] = mapped_column(Integer, default=10)  # working days between reports
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | lifted
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lift_reason: Mapped[str | None] = mapped_column(Text)

    supervising_bureau: Mapped[Bureau] = relationship(foreign_keys=[supervising_bureau_id])


class SupervisionReport(BureauOwned, db.Model):
    """One required progress report of a supervised case (the row belongs to the county that reports)."""

    __tablename__ = "supervision_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervision_id: Mapped[int] = mapped_column(ForeignKey("case_supervision.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("workflow_case.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | submitted
    progress: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
