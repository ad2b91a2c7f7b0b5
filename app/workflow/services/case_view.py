"""A case drawn on its pinned diagram: each element's state, the timers waiting, and what happened at each element."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.documents.models import Document
from app.extensions import db
from app.workflow.models import Attachment, Case, Task
from app.workflow.services import runtime
from app.workflow.services.context import Submission, case_attachments, case_documents, submission
from app.workflow.services.history import Step, submissions

# Marker classes of the shared diagram viewer (plus diagram-waiting, styled by the case page).
COMPLETED, CURRENT, CANCELLED, WAITING, ERROR = (
    "diagram-completed", "diagram-current", "diagram-cancelled", "diagram-waiting", "diagram-error")


@dataclass
class Timer:
    """A timer event waiting in the case."""

    element: str
    name: str
    due: datetime | None


@dataclass
class ElementDetail:
    """What happened at one diagram element: its tasks, the documents issued there and the files uploaded."""

    element: str
    name: str
    submissions: list[Submission] = field(default_factory=list)
    open_tasks: list[Task] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def diagram_files(case: Case) -> list[tuple[str, str]]:
    """(file name, BPMN XML) of the case's pinned version, the case's own process first."""
    files = {name: xml for name, xml in case.definition.files.items() if name.endswith(".bpmn")}
    own = [n for n in files if f'id="{case.definition.process_id}"' in files[n]]
    return [(n, files[n]) for n in [*own, *sorted(set(files) - set(own))]]


def waiting_timers(case: Case) -> list[Timer]:
    """Timer events the case is waiting on, with their due time (naive UTC)."""
    if case.status != "running":
        return []
    workflow = runtime.load(case.definition, case.state, case.serializer_version)
    timers = []
    for task in workflow.event_manager.tasks.values():
        spec = task.task_spec
        details = spec.event_definition.details(task)
        if "Timer" not in details.event_type and "TimeDate" not in details.event_type:
            continue
        value = details.value.get("next") if isinstance(details.value, dict) else details.value
        due = None
        if value:
            due = datetime.fromisoformat(str(value))
            if due.tzinfo is not None:
                due = due.astimezone(UTC).replace(tzinfo=None)
        timers.append(Timer(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, due))
    return timers


START_EVENT = re.compile(r'<(?:bpmn:)?startEvent\b[^>]*\bid="([^"]+)"')


def markers(step: Step | None, timers: list[Timer] = (),  # type: ignore[assignment]
            diagrams: list[tuple[str, str]] = ()) -> dict[str, list[str]]:  # type: ignore[assignment]
    """CSS marker classes per element id for the state after a step (and the timers waiting now).

    A diagram's start event counts as done once anything in that diagram has happened (the engine passes it
    before the first step it reports)."""
    result: dict[str, list[str]] = {}
    if step is None:
        return result
    touched = step.completed | step.current | step.cancelled
    for _name, xml in diagrams:
        if any(f'id="{element}"' in xml for element in touched if element):
            for start in START_EVENT.findall(xml):
                if start not in step.completed:
                    result[start] = [COMPLETED]
    for cls, ids in ((COMPLETED, step.completed), (CANCELLED, step.cancelled - step.current),
                     (CURRENT, step.current), (ERROR, step.errors)):
        for element in ids:
            if element:
                result.setdefault(element, []).append(cls)
    for timer in timers:
        result.setdefault(timer.element, []).append(WAITING)
    return result


def element_details(case: Case, events: list[AuditEvent], locale: str,
                    attachment: Callable[[int], Any]) -> dict[str, ElementDetail]:
    """Per element, as far as `events` go (all of them, or those up to a step): completed tasks with their
    submissions, tasks open then, documents issued and files uploaded."""
    forms = case.definition.forms
    by_task = submissions(events)
    moment = events[-1].occurred_at if events else None
    issued = {int(e.details["document_id"]) for e in events
              if e.action == "document.generated" and str(e.details.get("document_id", "")).isdigit()}
    documents = [d for d in case_documents(case.id) if d.id in issued]
    tasks = list(db.session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.id)))
    task_element = {t.id: t.element_id for t in tasks}
    done = {t.id for t in tasks if t.id in by_task}
    files = [f for f in case_attachments(case.id) if f.task_id in done]
    details: dict[str, ElementDetail] = {}
    for task in tasks:
        if moment is not None and task.created_at > moment:
            continue
        detail = details.setdefault(task.element_id, ElementDetail(task.element_id, task.name))
        if task.id in done:
            detail.submissions.append(submission(task, by_task[task.id], forms, locale, attachment, documents))
        elif task.state == "ready" or (task.completed_at is not None and moment is not None
                                       and task.completed_at > moment):
            detail.open_tasks.append(task)
    for document in documents:
        element = document.element_id or task_element.get(document.task_id or 0, "")
        if element:
            details.setdefault(element, ElementDetail(element, element)).documents.append(document)
    for record in files:
        element = task_element.get(record.task_id or 0, "")
        if element:
            details.setdefault(element, ElementDetail(element, element)).attachments.append(record)
    for detail in details.values():  # documents and files already shown with the submission they came with
        shown = {s.task.id for s in detail.submissions}
        detail.documents = [d for d in detail.documents if d.task_id not in shown]
        detail.attachments = [a for a in detail.attachments if a.task_id not in shown]
    return details
