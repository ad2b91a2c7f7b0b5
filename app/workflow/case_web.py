"""Stepping through a case's history (read-only): each event has its own page with the diagram and data as of then."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import signed_in
from app.documents.services.documents import get_document
from app.errors import NotFound
from app.workflow.services import attachments, case_view, cases, history
from app.workflow.services.access import may_view_case
from app.workflow.services.presenter import present

bp = Blueprint("caseview", __name__)


def step_titles() -> dict[str, str]:
    """The timeline's step titles, translated once per page (not once per line)."""
    return {**{action: _(title) for action, title in history.STEP_TITLES.items()}, "system": _("系统")}


def _visible_case(case_id: int) -> Any:
    try:
        case = cases.get_case(case_id)
    except NotFound:
        abort(404)
    if not may_view_case(current_user, case):
        abort(403)
    return case


@bp.route("/cases/<int:case_id>/steps/<int:index>")
@signed_in
def step(case_id: int, index: int) -> Any:
    """Step `index` of the case: what happened, the diagram as it stood then, the data as of then."""
    case = _visible_case(case_id)
    locale = str(get_locale() or "zh_CN")
    events = history.case_events(case.id)
    steps = history.replay(case, events)
    if not 1 <= index <= len(steps):
        abort(404)
    current = steps[index - 1]
    details = current.event.details or {}
    forms = case.definition.forms
    submitted = []
    if current.event.action == "task.completed":
        task = cases.get_task(int(details["task_id"])) if str(details.get("task_id", "")).isdigit() else None
        schema = forms.get(task.form_key or "") if task is not None else None
        submitted = present(forms, details.get("data") or {}, locale, attachments.get, schema=schema,
                            changed=current.changed)
    elif current.event.action == "case.started":
        submitted = present(forms, details.get("data") or {}, locale, attachments.get, changed=current.changed)
    document = None
    if current.event.action == "document.generated" and details.get("document_id"):
        try:
            document = get_document(int(details["document_id"]))
        except NotFound:
            document = None
    diagrams = case_view.diagram_files(case)
    markers = case_view.markers(current, diagrams=diagrams)
    if current.element:
        markers.setdefault(current.element, []).append("diagram-step")
    version = details.get("definition") or {"version": case.definition.version, "hash": case.definition.content_hash}
    return render_template(
        "workflow/step.html", case=case, steps=steps, step=current, submitted=submitted, document=document,
        data=present(forms, current.data, locale, attachments.get, changed=current.changed), version=version,
        diagrams=diagrams, markers=markers, titles=step_titles(),
        details=case_view.element_details(case, events[:index], locale, attachments.get))
