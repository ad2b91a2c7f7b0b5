"""The year's inspection board: every drawn object with its team, planned date, stage, overdue work,
rectification rounds and its case — one paged query over the case facts (plus one over the open tasks of the
page for the overdue flags)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select

from app.directories.models import InspectionObject
from app.extensions import db
from app.statistics.models import STAGES, CaseFact, CaseProblem
from app.workflow.models import Case, Task

DATE_FIELDS = {"planned": CaseFact.planned_date, "checked": CaseFact.checked_on, "rectified": CaseFact.rectified_on}
PER_PAGE = 50
COUNT_LIMIT = 10_000


@dataclass
class BoardQuery:
    """What the board asks for (every field optional but the year or a date range)."""

    year: int | None = None
    on: str = "planned"  # which date start/end bound
    start: date | None = None
    end: date | None = None
    stage: str | None = None
    outcome: str | None = None  # compliant | problems | violation | found (problems or violation) | none
    district: str | None = None
    unit_type: str | None = None
    area: str | None = None
    rect_min: int | None = None
    rect_max: int | None = None
    overdue: bool = False
    text: str = ""
    bureau_id: int | None = None


@dataclass
class BoardRow:
    """One drawn object on the board."""

    fact: CaseFact
    object_name: str
    district: str
    unit_type: str
    case_status: str
    overdue: list[str] = field(default_factory=list)  # names of its overdue open steps


def _filtered(query: BoardQuery, now: datetime, columns: Any) -> Any:
    statement = (select(*columns).select_from(CaseFact)
                 .join(InspectionObject, InspectionObject.id == CaseFact.object_id, isouter=True)
                 .where(CaseFact.kind == "inspection"))
    if query.bureau_id is not None:
        statement = statement.where(CaseFact.bureau_id == query.bureau_id)
    if query.year is not None:
        statement = statement.where(CaseFact.year == query.year)
    column = DATE_FIELDS.get(query.on, CaseFact.planned_date)
    if query.start is not None:
        statement = statement.where(column >= query.start)
    if query.end is not None:
        statement = statement.where(column <= query.end)
    if query.stage in STAGES:
        statement = statement.where(CaseFact.stage == query.stage)
    if query.outcome == "found":
        statement = statement.where(CaseFact.outcome.in_(("problems", "violation")))
    elif query.outcome == "none":
        statement = statement.where(CaseFact.outcome.is_(None))
    elif query.outcome:
        statement = statement.where(CaseFact.outcome == query.outcome)
    if query.district is not None:
        statement = statement.where(InspectionObject.district == query.district)
    if query.unit_type is not None:
        statement = statement.where(InspectionObject.unit_type == query.unit_type)
    if query.area:
        statement = statement.where(CaseFact.case_id.in_(select(CaseProblem.case_id).where(
            CaseProblem.area == query.area)))
    if query.rect_min is not None:
        statement = statement.where(CaseFact.rect_days >= query.rect_min)
    if query.rect_max is not None:
        statement = statement.where(CaseFact.rect_days <= query.rect_max)
    if query.overdue:
        statement = statement.where(CaseFact.case_id.in_(
            select(Task.case_id).where(Task.state == "ready", Task.due_at < now)))
    text = query.text.strip().replace("%", "").replace("_", "")
    if text:
        statement = statement.where(or_(InspectionObject.name.like(f"%{text}%"), CaseFact.team.like(f"%{text}%")))
    return statement


def search(query: BoardQuery, now: datetime, *, page: int = 1, per_page: int = PER_PAGE,
           everything: bool = False) -> tuple[list[BoardRow], int]:
    """(the page of rows — every row when `everything`, for the export — and how many match, up to the limit)."""
    limited = _filtered(query, now, [CaseFact.case_id]).limit(COUNT_LIMIT + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(limited)) or 0
    statement = (_filtered(query, now, [CaseFact, InspectionObject.name, InspectionObject.district,
                                        InspectionObject.unit_type, Case.status])
                 .join(Case, Case.id == CaseFact.case_id)
                 .order_by(CaseFact.planned_date, CaseFact.case_id))
    if not everything:
        statement = statement.offset((page - 1) * per_page).limit(per_page)
    rows = [BoardRow(fact, name or "", district or "", unit_type or "", status)
            for fact, name, district, unit_type, status in db.session.execute(statement)]
    if rows:
        late: dict[int, list[str]] = {}
        ids = [r.fact.case_id for r in rows]
        for start in range(0, len(ids), 1000):
            for case_id, name in db.session.execute(select(Task.case_id, Task.name).where(
                    Task.case_id.in_(ids[start:start + 1000]), Task.state == "ready", Task.due_at < now)):
                late.setdefault(case_id, []).append(name)
        for row in rows:
            row.overdue = late.get(row.fact.case_id, [])
    return rows, total


def waiting_for_witness() -> list[Any]:
    """Draws prepared and waiting for the discipline inspector to witness them (newest first)."""
    from app.draws.models import Draw

    return list(db.session.scalars(select(Draw).where(Draw.status == "prepared").order_by(Draw.prepared_at.desc())))
