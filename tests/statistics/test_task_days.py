"""Completed tasks per day (`task_day`): the triggers on `task` keep it equal to a recount, trial cases stay out,
and the counts over a period with partial days at its ends equal the count over every task."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import case, func, select

from app.clock import utcnow
from app.extensions import db
from app.statistics.models import TaskDay
from app.statistics.services import task_days
from app.workflow.models import Case, Task
from tests.statistics.scenario import build


def _rows():
    """Every bureau's non-empty rows (read past the bureau scope)."""
    return sorted(db.session.connection().execute(select(
        TaskDay.bureau_id, TaskDay.day, TaskDay.role, TaskDay.person_id, TaskDay.done, TaskDay.late)
        .where(TaskDay.done != 0)).all())


def _every_task(start, end):
    late = func.sum(case((Task.completed_at > Task.due_at, 1), else_=0))
    statement = select(Task.role, Task.completed_by_id, func.count(), late).where(
        Task.state == "completed", Task.completed_at >= start, Task.completed_at < end, task_days.not_trial())
    return {(role, person): (int(n), int(lt or 0))
            for role, person, n, lt in db.session.execute(statement.group_by(Task.role, Task.completed_by_id))}


def test_the_triggers_keep_task_day_equal_to_a_recount():
    build()
    kept = _rows()
    assert sum(row.done for row in kept) >= 20
    assert task_days.rebuild() >= len(kept)
    assert _rows() == kept


def test_a_task_taken_back_or_deleted_leaves_the_count_and_a_trial_task_never_enters_it():
    build()
    task = db.session.scalars(select(Task).where(Task.state == "completed", Task.completed_by_id.is_not(None))
                              .order_by(Task.id)).first()
    before = _rows()
    task.state = "cancelled"
    db.session.flush()
    assert sum(r.done for r in _rows()) == sum(r.done for r in before) - 1
    task.state = "completed"
    db.session.flush()
    assert _rows() == before
    real = db.session.get(Case, task.case_id)
    trial = Case(definition_id=real.definition_id, subject="试运行", state="", serializer_version="1", trial=True,
                 bureau_id=real.bureau_id)
    db.session.add(trial)
    db.session.flush()
    done = Task(case_id=trial.id, spiff_task_id="trial-1", element_id="e", name="试运行步骤", role=task.role,
                state="completed", completed_at=utcnow(), completed_by_id=task.completed_by_id,
                bureau_id=real.bureau_id)
    db.session.add(done)
    db.session.flush()
    assert _rows() == before
    db.session.delete(done)
    db.session.flush()
    assert _rows() == before


def test_counts_over_partial_days_equal_the_count_over_every_task():
    build()
    now = utcnow()
    midnight = datetime.combine(now.date(), time.min)
    periods = [(now - timedelta(days=3, hours=5), now + timedelta(days=2, hours=3)),  # partial ends
               (midnight, midnight + timedelta(days=1)),  # one whole day
               (now - timedelta(hours=1), now + timedelta(hours=1)),  # inside one day
               (midnight - timedelta(hours=8), midnight + timedelta(days=1, hours=16))]  # local days (UTC+8)
    for start, end in periods:
        counted = task_days.completed(start, end)
        assert counted == _every_task(start, end)
    assert sum(n for n, _late in task_days.completed(*periods[0]).values()) >= 20
