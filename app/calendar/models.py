"""Administrator-entered calendar overrides (holidays and make-up workdays, 调休)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db


class CalendarOverride(BureauOwned, db.Model):
    """One date declared a workday or a rest day, overriding the chinese-calendar package and weekends."""

    __tablename__ = "calendar_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("bureau_id", "day", name="uq_calendar_override_bureau_day"),)


class CalendarYear(db.Model):
    """A year whose State Council holiday schedule an administrator imported (the year is then covered)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200), default="")
    ranges: Mapped[int] = mapped_column(Integer, default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
