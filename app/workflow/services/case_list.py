"""Searching the case list: text, process, status, creation dates, overdue, the person involved; sorted, paged.

Every filter is an indexed predicate (see migration 0011) so a page stays fast at 100,000 cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer, joinedload

from app.auth.models import User
from app.bureaus.context import current
from app.extensions import db
from app.workflow.models import Case, LegalReview, ProcessDefinition, Task, TaskAssignee

SORTS: dict[str, Any] = {"created": Case.created_at, "updated": Case.updated_at, "id": Case.id,
                         "subject": Case.subject, "party": Case.party, "status": Case.status}
STATUSES = ("running", "completed", "error")
COUNT_LIMIT = 10_000  # beyond this a list says "more than 10,000" instead of counting every match


@dataclass
class CaseQuery:
    """What a case list asks for. Dates are UTC bounds [start, end)."""

    text: str = ""
    process_id: str | None = None
    status: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    overdue: bool = False
    person_id: int | None = None
    sort: str = "created"
    descending: bool = True
    bureau_id: int | None = None  # one of the readable bureaus (a city reading down)
    # filters the statistics page links to (facts kept beside each case, see app/statistics)
    source: str | None = None
    decision: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    review: str | None = None  # cases with a legal review of this outcome (created in [start, end) if on=review)
    step: str | None = None  # cases whose open step has this name
    role: str | None = None  # with overdue: overdue open tasks of this office
    kind: str | None = None  # inspection | case
    on: str = "created"  # what start/end bound: created | review | task (a task completed by the person)


def _filtered(query: CaseQuery, now: datetime, columns: Any = Case) -> Any:
    statement = select(columns)
    if query.bureau_id is not None:
        statement = statement.where(Case.bureau_id == query.bureau_id)
    text = query.text.strip()
    if text.lstrip("#").isdigit():
        statement = statement.where(Case.id == int(text.lstrip("#")))
    elif text:
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        statement = statement.where(or_(Case.subject.like(pattern), Case.party.like(pattern)))
    if query.process_id:
        statement = statement.where(Case.definition_id.in_(
            select(ProcessDefinition.id).where(ProcessDefinition.process_id == query.process_id)))
    if query.status in STATUSES:
        statement = statement.where(Case.status == query.status)
    if query.on == "created":
        if query.start:
            statement = statement.where(Case.created_at >= query.start)
        if query.end:
            statement = statement.where(Case.created_at < query.end)
    if query.overdue:
        late = select(Task.case_id).where(Task.state == "ready", Task.due_at < now)
        statement = statement.where(Case.id.in_(late.where(Task.role == query.role) if query.role else late))
    statement = _fact_filters(statement, query)
    if query.person_id and query.on == "task":
        done = select(Task.case_id).where(Task.completed_by_id == query.person_id, Task.state == "completed")
        if query.start:
            done = done.where(Task.completed_at >= query.start)
        if query.end:
            done = done.where(Task.completed_at < query.end)
        statement = statement.where(Case.id.in_(done))
    elif query.person_id:
        statement = statement.where(or_(
            Case.id.in_(select(Task.case_id).where(Task.completed_by_id == query.person_id)),
            Case.id.in_(select(Task.case_id).join(TaskAssignee, TaskAssignee.task_id == Task.id)
                        .where(TaskAssignee.user_id == query.person_id))))
    return statement


def _fact_filters(statement: Any, query: CaseQuery) -> Any:
    from app.statistics.models import CaseFact

    facts = select(CaseFact.case_id)
    used = False
    for column, value in ((CaseFact.source, query.source), (CaseFact.decision, query.decision),
                          (CaseFact.kind, query.kind)):
        if value:
            facts, used = facts.where(column == value), True
    if query.amount_min is not None:
        facts, used = facts.where(CaseFact.fine_amount >= query.amount_min), True
    if query.amount_max is not None:
        facts, used = facts.where(CaseFact.fine_amount < query.amount_max), True
    if used:
        statement = statement.where(Case.id.in_(facts))
    if query.step:
        statement = statement.where(Case.id.in_(select(Task.case_id).where(Task.state == "ready",
                                                                          Task.name == query.step)))
    if query.review or query.on == "review":
        reviews = select(LegalReview.case_id)
        if query.review:
            reviews = reviews.where(LegalReview.outcome == query.review)
        if query.on == "review" and query.start:
            reviews = reviews.where(LegalReview.created_at >= query.start)
        if query.on == "review" and query.end:
            reviews = reviews.where(LegalReview.created_at < query.end)
        statement = statement.where(Case.id.in_(reviews))
    return statement


def search_cases(query: CaseQuery, now: datetime, *, page: int = 1, per_page: int = 50) -> tuple[list[Case], int]:
    """(the page of cases, the number matching — counted up to COUNT_LIMIT + 1, enough to say "more than")."""
    statement = _filtered(query, now)
    limited = _filtered(query, now, Case.id).limit(COUNT_LIMIT + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(limited)) or 0
    column = SORTS.get(query.sort, Case.created_at)
    order = [column.desc(), Case.id.desc()] if query.descending else [column.asc(), Case.id.asc()]
    # Neither the workflow state nor the version's forms (JSON decoded once per row) are shown in a list.
    rows = db.session.scalars(statement.options(defer(Case.state),
                                                joinedload(Case.definition).defer(ProcessDefinition.forms))
                              .order_by(*order)
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def open_tasks(case_ids: list[int]) -> dict[int, list[Task]]:
    """The open tasks of these cases, by case."""
    result: dict[int, list[Task]] = {}
    if case_ids:
        for task in db.session.scalars(select(Task).where(Task.case_id.in_(case_ids), Task.state == "ready")
                                       .order_by(Task.id)):
            result.setdefault(task.case_id, []).append(task)
    return result


def process_choices() -> list[tuple[str, str]]:
    """(process id, name) of every process that has cases or versions, by name."""
    rows = db.session.execute(select(ProcessDefinition.process_id, func.max(ProcessDefinition.name))
                              .group_by(ProcessDefinition.process_id)).all()
    return sorted(((r[0], r[1]) for r in rows), key=lambda r: r[1])


def people() -> list[User]:
    """Active users, by name (for the 'person involved' filter)."""
    statement = select(User).where(User.active.is_(True)).order_by(User.full_name)
    visible = current().visible
    if visible is not None:  # users are not a mixin-scoped table: only the readable bureaus' people
        statement = statement.where(User.bureau_id.in_(sorted(visible)))
    return list(db.session.scalars(statement))
