"""Task lists read from the index only (no workflow is deserialized)."""

from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import defer, joinedload, lazyload, selectinload

from app.auth.models import User
from app.extensions import db
from app.takeover.services.delegations import acting_for
from app.workflow.models import Case, ProcessDefinition, Task, TaskAssignee


def _mine(user: User, guests: frozenset[int] = frozenset()):  # type: ignore[no-untyped-def]
    """Real tasks of the user's roles (named ones only if named), and every open task of the user's own trials;
    in the `guests` bureaus (a joint draw's host) only the tasks naming this very user."""
    roles = sorted(r.value for r in user.role_set)
    named = exists().where(and_(TaskAssignee.task_id == Task.id, TaskAssignee.user_id.in_(acting_for(user.id))))
    running = exists().where(and_(Case.id == Task.case_id, Case.status == "running"))
    trial_case = select(Case.id).where(Case.trial.is_(True))
    own_trial = select(Case.id).where(Case.trial.is_(True), Case.created_by_id == user.id)
    real = and_(Task.role.in_(roles), or_(Task.restricted.is_(False), named), Task.case_id.not_in(trial_case))
    if guests:
        named_self = exists().where(and_(TaskAssignee.task_id == Task.id, TaskAssignee.user_id == user.id))
        real = and_(real, or_(Task.bureau_id.not_in(sorted(guests)), and_(Task.restricted.is_(True), named_self)))
        return and_(Task.state == "ready", running,
                    or_(real, and_(Task.bureau_id.not_in(sorted(guests)), Task.case_id.in_(own_trial))))
    return and_(Task.state == "ready", running, or_(real, Task.case_id.in_(own_trial)))


def my_tasks(user: User, *, page: int = 1, per_page: int = 50,
             guests: frozenset[int] = frozenset()) -> tuple[list[Task], int]:
    """Open tasks this user may do, soonest due first; returns (tasks, total). `guests`: bureaus whose tasks
    naming this user are read too (the caller widens the scope to them)."""
    condition = _mine(user, guests)
    total = db.session.scalar(select(func.count()).select_from(Task).where(condition)) or 0
    rows = db.session.scalars(
        select(Task).where(condition)
        # the case's subject and version name; not its workflow state (often 100 KB and more) nor the version's
        # forms (a JSON document decoded once per row)
        .options(selectinload(Task.case).options(defer(Case.state),
                                                 joinedload(Case.definition).defer(ProcessDefinition.forms)))
        .order_by(Task.due_at.asc().nulls_last(), Task.id)
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def case_tasks(case: Case) -> list[Task]:
    """Every indexed task of a case, oldest first (assignees loaded only if asked for: the case page lists
    hundreds of tasks and shows none of them)."""
    return list(db.session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.id)
                                   .options(lazyload(Task.assignees))))


def real_cases():  # type: ignore[no-untyped-def]
    """The condition every count, statistic and report uses: trial cases are not real work."""
    return Case.trial.is_(False)


def list_cases(*, page: int = 1, per_page: int = 50, status: str | None = None,
               trial: bool | None = None, bureau_id: int | None = None) -> tuple[list[Case], int]:
    """Cases of the readable bureaus (or of one of them), newest first (trial cases only or none when `trial`
    says so)."""
    query = select(Case)
    if bureau_id is not None:
        query = query.where(Case.bureau_id == bureau_id)
    if trial is not None:
        query = query.where(Case.trial.is_(trial))
    if status:
        query = query.where(Case.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Case.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
