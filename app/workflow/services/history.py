"""A case's history from the application's append-only audit events (the engine keeps neither who nor when).

Each event of the case is one step. Stepping to step k replays the events up to k: the data as of that step
(what the case started with, merged with every submission so far), the elements done, the tasks open then, and
what step k itself changed.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.documents.services.numbers import DOC_TYPES
from app.errors import N_
from app.extensions import db
from app.workflow.models import Case, Task

STEP_TITLES = {
    "case.started": N_("案件启动"),
    "task.completed": N_("完成任务"),
    "timer.fired": N_("定时器触发"),
    "case.error": N_("流程出错"),
    "document.generated": N_("生成文书"),
    "case.migrated": N_("迁移流程版本"),
    "task.reassigned": N_("转派任务"),
    "case.suspended": N_("暂停案件"),
    "case.resumed": N_("恢复办理"),
    "case.cancelled": N_("撤销案件"),
}

# Manual interventions on a case (app/takeover): each step shows the reason the person gave.
TAKEOVER_ACTIONS = ("task.reassigned", "case.suspended", "case.resumed", "case.cancelled")


@dataclass
class Step:
    """One event of the case, with the case as it stood right after it."""

    index: int
    event: AuditEvent
    title: str
    element: str = ""
    element_name: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    completed: set[str] = field(default_factory=set)
    current: set[str] = field(default_factory=set)
    cancelled: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)
    handed_to: str = ""
    reason: str = ""


def case_events(case_id: int) -> list[AuditEvent]:
    """Every audit event about this case, oldest first."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "case",
                                                           AuditEvent.object_id == str(case_id))
                                   .order_by(AuditEvent.id)))


def submissions(events: list[AuditEvent]) -> dict[int, AuditEvent]:
    """The completion event of each task, by task id."""
    return {int(e.details["task_id"]): e for e in events
            if e.action == "task.completed" and str(e.details.get("task_id", "")).isdigit()}


TaskTimes = list[tuple[datetime, datetime | None, str, str]]


def _open_at(tasks: TaskTimes, moment: datetime) -> tuple[set[str], set[str]]:
    """(open, cancelled) element ids as of a moment, from the task index times (created, completed, state, id)."""
    current, cancelled = set(), set()
    for created, completed, state, element in tasks:
        if created > moment:
            break  # tasks come in creation order
        if completed is None or completed > moment:
            current.add(element)
        elif state == "cancelled":
            cancelled.add(element)
    return current, cancelled


class _OpenSweep:
    """`_open_at` for moments that never go back, in one pass over the tasks (a long case has hundreds of events
    and tasks: asking `_open_at` per event is quadratic). Gives the same sets as `_open_at`."""

    def __init__(self, tasks: TaskTimes) -> None:
        self.tasks = tasks
        self.next = 0  # first task not yet created as of the last moment
        self.open: list[tuple[datetime, int]] = []  # heap of (completed, task position) of tasks open so far
        self.current: Counter[str] = Counter()
        self.cancelled: set[str] = set()
        self.last: datetime | None = None

    def at(self, moment: datetime) -> tuple[set[str], set[str]]:
        if self.last is not None and moment < self.last:
            return _open_at(self.tasks, moment)  # out of order (clock skew): answer directly
        self.last = moment
        while self.next < len(self.tasks) and self.tasks[self.next][0] <= moment:
            _created, completed, state, element = self.tasks[self.next]
            if completed is None or completed > moment:
                self.current[element] += 1
                if completed is not None:
                    heapq.heappush(self.open, (completed, self.next))
            elif state == "cancelled":
                self.cancelled.add(element)
            self.next += 1
        while self.open and self.open[0][0] <= moment:
            _completed, position = heapq.heappop(self.open)
            _created, _done, state, element = self.tasks[position]
            self.current[element] -= 1
            if not self.current[element]:
                del self.current[element]
            if state == "cancelled":
                self.cancelled.add(element)
        return set(self.current), set(self.cancelled)


def replay(case: Case, events: list[AuditEvent] | None = None) -> list[Step]:
    """Every step of the case with its state, in order."""
    events = case_events(case.id) if events is None else events
    tasks: TaskTimes = [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        select(Task.created_at, Task.completed_at, Task.state, Task.element_id).where(Task.case_id == case.id)
        .order_by(Task.created_at, Task.id))]
    data: dict[str, Any] = {}
    completed: set[str] = set()
    errors: set[str] = set()
    steps: list[Step] = []
    sweep = _OpenSweep(tasks)
    for index, event in enumerate(events, start=1):
        details = event.details or {}
        submitted = details.get("data") if isinstance(details.get("data"), dict) else {}
        before = dict(data)
        data.update(submitted)
        step = Step(index, event, STEP_TITLES.get(event.action, event.action),
                    element=str(details.get("element") or ""), element_name=str(details.get("name") or ""))
        step.reason = str(details.get("reason") or "") if event.action in TAKEOVER_ACTIONS else ""
        if event.action == "task.completed":
            completed.add(step.element)
        elif event.action == "task.reassigned":
            step.handed_to = str(details.get("to") or "")
        elif event.action == "document.generated":
            kind = DOC_TYPES.get(str(details.get("type", "")))
            step.element_name = f"{kind.title if kind else ''} {details.get('number', '')}".strip()
        elif event.action == "timer.fired":
            step.element_name = "、".join(str(s.get("name") or "") for s in details.get("engine_steps") or []
                                         if s.get("type") in ("BoundaryEvent", "IntermediateCatchEvent"))
        for engine_step in details.get("engine_steps") or []:
            completed.add(str(engine_step.get("element", "")))
        if event.action == "case.error" and step.element:
            errors.add(step.element)
        step.data = dict(data)
        step.changed = sorted(k for k in submitted if before.get(k) != submitted[k] or k not in before)
        step.current, step.cancelled = sweep.at(event.occurred_at)
        step.completed = set(completed) - step.current
        step.errors = set(errors)
        steps.append(step)
    return steps


def data_before(events: list[AuditEvent], task_id: int) -> dict[str, Any]:
    """What had been submitted in the case before this task was completed (or so far, if it is open)."""
    data: dict[str, Any] = {}
    for event in events:
        if event.action == "task.completed" and event.details.get("task_id") == task_id:
            break
        submitted = event.details.get("data")
        if isinstance(submitted, dict):
            data.update(submitted)
    return data
