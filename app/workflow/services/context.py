"""What a task page shows besides its form: the context its form declares, and what was submitted.

A form may declare `context`: a list of sections, each with a title and either `fields` (earlier values to show,
by field name) or `tasks` (BPMN ids of earlier tasks whose every submission is shown with who and when, e.g. the
legal review and prior opinions). Nothing here is specific to one page or one procedure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.documents.models import Document
from app.extensions import db
from app.workflow.models import Attachment, Task
from app.workflow.services.history import case_events, data_before, submissions
from app.workflow.services.presenter import Shown, present


@dataclass
class Submission:
    """A completed task: who, when and what they submitted (labelled), with the documents issued there."""

    task: Task
    actor: str
    at: datetime | None
    items: list[Shown]
    documents: list[Document] = field(default_factory=list)


@dataclass
class Section:
    """One declared block of context."""

    title: str
    items: list[Shown] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)


def _title(section: dict[str, Any], locale: str) -> str:
    return str(section.get("title_en") if locale.startswith("en") and section.get("title_en") else
               section.get("title", ""))


def submission(task: Task, event: AuditEvent | None, forms: dict[str, Any], locale: str,
               attachment: Callable[[int], Any], documents: list[Document] | None = None) -> Submission:
    """A completed task's submission, labelled by its own form."""
    schema = forms.get(task.form_key or "")
    data = event.details.get("data", {}) if event is not None else {}
    items = present(forms, data, locale, attachment, schema=schema) if schema else []
    actor = event.actor.full_name if event is not None and event.actor else (
        task.completed_by.full_name if task.completed_by else "")
    return Submission(task, actor, task.completed_at, items,
                      [d for d in documents or [] if d.task_id == task.id])


def case_documents(case_id: int) -> list[Document]:
    """Every document version of the case, in the order issued."""
    return list(db.session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id)))


def case_attachments(case_id: int) -> list[Attachment]:
    """Every file uploaded in the case, in upload order."""
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)))


def task_context(task: Task, locale: str, attachment: Callable[[int], Any],
                 live_data: dict[str, Any] | None = None) -> tuple[list[Section], Submission | None]:
    """(the declared context sections, this task's own submission when it is completed)."""
    forms = task.case.definition.forms
    schema = forms.get(task.form_key or "") or {}
    events = case_events(task.case_id)
    by_task = submissions(events)
    data = data_before(events, task.id)
    if live_data and task.state == "ready":
        data = {**data, **live_data}
    tasks = list(db.session.scalars(select(Task).where(Task.case_id == task.case_id, Task.id != task.id,
                                                       Task.state == "completed").order_by(Task.id)))
    documents = case_documents(task.case_id)
    sections = []
    for declared in schema.get("context", []):
        section = Section(_title(declared, locale))
        if declared.get("fields"):
            section.items = present(forms, data, locale, attachment, names=declared["fields"])
        for earlier in tasks:
            if earlier.element_id in declared.get("tasks", []) and earlier.id < task.id:
                section.submissions.append(submission(earlier, by_task.get(earlier.id), forms, locale, attachment,
                                                      documents))
        if section.items or section.submissions:
            sections.append(section)
    own = None
    if task.state == "completed":
        own = submission(task, by_task.get(task.id), forms, locale, attachment, documents)
    return sections, own
