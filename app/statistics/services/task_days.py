"""Completed tasks per office and person over a period, read from `task_day` (whole UTC days, kept by database
triggers on `task`) plus the tasks of the period's partial UTC days at its two ends: exactly the count over every
task, without reading every task.

The triggers see changes to tasks only: a case whose `trial` flag changed after its tasks were counted, or a trial
case deleted with its tasks, would leave `task_day` off until `rebuild()` (`flask statistics recount-days`). Neither
happens today (the flag is set when a case starts; cases are never deleted)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select, text

from app.extensions import db
from app.statistics.models import TaskDay
from app.workflow.models import Case, Task

Counts = dict[tuple[str, int | None], tuple[int, int]]  # (role, completer or None) → (completed, of which late)


def _late() -> Any:
    return case((Task.completed_at > Task.due_at, 1), else_=0)


def not_trial() -> Any:
    """Tasks of real cases (statistics leave trial cases out)."""
    return Task.case_id.not_in(select(Case.id).where(Case.trial.is_(True)))


def _whole_days(start: datetime, end: datetime) -> tuple[date, date] | None:
    """The UTC days [first, last) lying wholly inside [start, end), or None."""
    first = start.date() + timedelta(days=1) if start.time() != time.min else start.date()
    last = end.date()
    return (first, last) if first < last else None


def completed(start: datetime, end: datetime, bureau_id: int | None = None) -> Counts:
    """Tasks of real cases completed in [start, end) (UTC), per (role, completer), with how many were late."""
    days = _whole_days(start, end)
    ranges = [(start, end)] if days is None else [
        (start, datetime.combine(days[0], time.min)), (datetime.combine(days[1], time.min), end)]
    ranges = [(a, b) for a, b in ranges if a < b]
    counts: Counts = {}

    def add(role: str, person: int | None, done: int, late: int) -> None:
        before = counts.get((role, person), (0, 0))
        counts[(role, person)] = (before[0] + int(done or 0), before[1] + int(late or 0))

    if ranges:  # the partial days: from the tasks themselves
        live = select(Task.role, Task.completed_by_id, func.count(), func.sum(_late())).where(
            Task.state == "completed", or_(*(and_(Task.completed_at >= a, Task.completed_at < b) for a, b in ranges)),
            not_trial())
        if bureau_id is not None:
            live = live.where(Task.bureau_id == bureau_id)
        for role, person, done, late in db.session.execute(live.group_by(Task.role, Task.completed_by_id)):
            add(role, person, done, late)
    if days is not None:
        summed = select(TaskDay.role, TaskDay.person_id, func.sum(TaskDay.done), func.sum(TaskDay.late)).where(
            TaskDay.day >= days[0], TaskDay.day < days[1])
        if bureau_id is not None:
            summed = summed.where(TaskDay.bureau_id == bureau_id)
        for role, person, done, late in db.session.execute(summed.group_by(TaskDay.role, TaskDay.person_id)):
            add(role, person or None, done, late)
    return {key: value for key, value in counts.items() if value[0]}


def rebuild() -> int:
    """Recount `task_day` from the tasks (after a bulk load with the triggers off, or to repair); returns its rows.
    Runs unscoped: every bureau's rows."""
    day = func.date(Task.completed_at)
    person = func.coalesce(Task.completed_by_id, 0)
    counted = select(Task.bureau_id, day, Task.role, person, func.count(), func.sum(_late())).where(
        Task.state == "completed", Task.completed_at.is_not(None),
        ~select(Case.id).where(Case.id == Task.case_id, Case.trial.is_(True)).exists()
    ).group_by(Task.bureau_id, day, Task.role, person)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":  # no completion (and its trigger) may write a row meanwhile
        connection.execute(text("LOCK TABLE task IN SHARE MODE"))
    connection.execute(delete(TaskDay.__table__))
    connection.execute(insert(TaskDay.__table__).from_select(
        ["bureau_id", "day", "role", "person_id", "done", "late"], counted))
    return int(connection.scalar(select(func.count()).select_from(TaskDay.__table__)) or 0)
