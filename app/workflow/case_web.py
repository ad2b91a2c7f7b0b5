"""Stepping through a case's history (read-only): each event has its own page with the diagram and data as of then."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.access import signed_in
from app.documents.services.documents import get_document
from app.errors import NotFound
from app.workflow.services import attachments, case_view, cases, history
from app.workflow.services.access import may_view_case
from app.workflow.services.presenter import present

bp = Blueprint("caseview", __name__)


_FRAGMENTS: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()
FRAGMENT_CACHE_SIZE = 256


def element_details_html(case: Any, events: list[Any], locale: str) -> Markup:
    """The rendered per-element details of a case as far as `events` go.

    The history is append-only, so (case, last event's hash, locale) identifies the fragment exactly: any new event
    (a task, a document, a timer) makes a new key. Kept per process, the most recent 256.
    """
    key = (case.id, events[-1].hash if events else "", len(events), locale)
    cached = _FRAGMENTS.get(key)
    if cached is not None:
        _FRAGMENTS.move_to_end(key)
        return cached
    html = Markup(render_template("workflow/_case_details.html",  # noqa: S704 - autoescaped template output
                                  details=case_view.element_details(case, events, locale, attachments.get)))
    _FRAGMENTS[key] = html
    if len(_FRAGMENTS) > FRAGMENT_CACHE_SIZE:
        _FRAGMENTS.popitem(last=False)
    return html


def step_titles() -> dict[str, str]:
    """The timeline's step titles, translated once per page (not once per line)."""
    return {**{action: _(title) for action, title in history.STEP_TITLES.items()}, "system": _("系统"),
            "reason": _("理由")}


def viewable_case(case_id: int, as_guest: Callable[[], bool] | None = None) -> Any:
    """The case, for a page about it: 404 when there is no such case, 403 when the signed-in user may not see it.

    `as_guest`: when the case is not in the user's scope, a chance to enter its bureau as a joint draw's guest
    (True: entered, look again)."""
    try:
        case = cases.get_case(case_id)
    except NotFound:
        if as_guest is None or not as_guest():
            abort(404)
        case = cases.get_case(case_id)
    if not may_view_case(current_user, case):
        abort(403)
    return case


@bp.route("/cases/<int:case_id>/steps/<int:index>")
@signed_in
def step(case_id: int, index: int) -> Any:
    """Step `index` of the case: what happened, the diagram as it stood then, the data as of then."""
    case = viewable_case(case_id)
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
        details=element_details_html(case, events[:index], locale))
