"""Facts kept beside each case for statistics (written in the same transaction as the task that changes them),
the problems an on-site check found, and the draft of the 三项制度 annual work report."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db

STAGES = ("planned", "checked", "rectifying", "rectified", "transferred", "closed")


class CaseFact(BureauOwned, db.Model):
    """What statistics need of one case, as columns: an inspection's draw, object, plan, stage and rounds; an
    enforcement case's source, decision and fine. Never read by loading the workflow."""

    __tablename__ = "case_fact"

    case_id: Mapped[int] = mapped_column(ForeignKey("workflow_case.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # inspection | case
    process_id: Mapped[str] = mapped_column(String(100))
    started_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # inspection
    year: Mapped[int | None] = mapped_column(Integer)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draw.id"))
    object_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_object.id"))
    planned_date: Mapped[date | None] = mapped_column(Date)
    team: Mapped[str] = mapped_column(String(500), default="")
    stage: Mapped[str] = mapped_column(String(20), default="planned")
    checked_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    rect_rounds: Mapped[int] = mapped_column(Integer, default=0)
    rect_started_on: Mapped[date | None] = mapped_column(Date)
    rectified_on: Mapped[date | None] = mapped_column(Date)
    rect_days: Mapped[int | None] = mapped_column(Integer)  # calendar days from the order to acceptance
    transferred_case_id: Mapped[int | None] = mapped_column(Integer)
    # enforcement case
    source: Mapped[str | None] = mapped_column(String(20))  # inspection | complaint | referral | other
    decision: Mapped[str | None] = mapped_column(String(20))  # fine | sanction | no_penalty
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    decided_on: Mapped[date | None] = mapped_column(Date)
    inspection_case_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_case_fact_board", "bureau_id", "kind", "year", "planned_date", "case_id"),
        Index("ix_case_fact_started", "bureau_id", "kind", "started_on"),
        Index("ix_case_fact_inspection_case", "inspection_case_id"),
    )


class CaseProblem(BureauOwned, db.Model):
    """One problem an on-site check found, by the area of archives law art. 42 it falls under."""

    __tablename__ = "case_problem"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("workflow_case.id"), index=True)
    area: Mapped[str] = mapped_column(String(30))
    found_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_case_problem_found", "bureau_id", "found_on", "area"),)


class TaskDay(BureauOwned, db.Model):
    """Tasks of real (non-trial) cases completed on one UTC day, per office (role) and person, and how many of them
    after their due time: the throughput figures read this instead of every task of the period. Kept by database
    triggers on `task` (migration 0024), so it changes in the same transaction as each completion and a submit
    runs no extra statement; `services.task_days.rebuild` recounts it from the tasks."""

    __tablename__ = "task_day"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # the UTC date of completed_at
    role: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(Integer)  # completed_by_id; 0: completed by nobody (e.g. by the system)
    done: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)  # completed_at > due_at

    __table_args__ = (Index("uq_task_day", "bureau_id", "day", "role", "person_id", unique=True),)


class AnnualReport(BureauOwned, db.Model):
    """The 三项制度 annual work report of one year: a draft text the user edits, then issued as a numbered document."""

    __tablename__ = "annual_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    sections: Mapped[dict[str, Any]] = mapped_column(JSON)  # section key → text
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | issued
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (Index("uq_annual_report_bureau_year", "bureau_id", "year", unique=True),)
