"""Task lists read from the index only (no workflow is deserialized)."""

from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.extensions import db
from app.workflow.models import Case, Task, TaskAssignee


def _mine(user: User):  # type: ignore[no-untyped-def]
    roles = sorted(r.value for r in user.role_set)
    named = exists().where(and_(TaskAssignee.task_id == Task.id, TaskAssignee.user_id == user.id))
    return and_(Task.state == "ready", Task.role.in_(roles), or_(Task.restricted.is_(False), named))


def my_tasks(user: User, *, page: int = 1, per_page: int = 50) -> tuple[list[Task], int]:
    """Open tasks this user may do, soonest due first; returns (tasks, total)."""
    condition = _mine(user)
    total = db.session.scalar(select(func.count()).select_from(Task).where(condition)) or 0
    rows = db.session.scalars(
        select(Task).where(condition)
        .options(selectinload(Task.case))
        .order_by(Task.due_at.asc().nulls_last(), Task.id)
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def case_tasks(case: Case) -> list[Task]:
    """Every indexed task of a case, oldest first."""
    return list(db.session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.id)))


def list_cases(*, page: int = 1, per_page: int = 50, status: str | None = None,
               bureau_id: int | None = None) -> tuple[list[Case], int]:
    """Cases of the readable bureaus (or of one of them), newest first."""
    query = select(Case)
    if bureau_id is not None:
        query = query.where(Case.bureau_id == bureau_id)
    if status:
        query = query.where(Case.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Case.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
