"""Versions beyond editing: try a draft, compare and publish it with a reason, move running cases onto it."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.documents.services.numbers import DOC_TYPES
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.modeler.services import migration, publishing, trials
from app.modeler.services.engine_elements import FIELD_LABELS, KIND_LABELS, main_file
from app.web_helpers import translate
from app.workflow.services.definitions import DefinitionInvalid

bp = Blueprint("versions", __name__, url_prefix="/versions")
SHOWN_WHEN_ADDED = ("lane", "form", "documents", "due", "assignees", "starts_process", "records_result", "condition",
                    "timer")


def _display(name: str, value: str, result: publishing.VersionDiff) -> str:
    """A stored value as a clerk reads it: titles instead of keys, due rules in words."""
    if not value:
        return _("（无）")
    forms = {**(result.base.forms if result.base else {}), **result.draft.forms}
    if name == "form":
        return str(forms.get(value, {}).get("title") or value)
    if name == "documents":
        return "、".join(_(DOC_TYPES[c].title) if c in DOC_TYPES else c for c in value.split(",") if c.strip())
    if name == "due":
        due = describe_due(value)
        return due if due else value
    if name == "records_result":
        return _("是") if value == "true" else _("否")
    if name in ("source", "target", "default"):
        return result.labels.get(value, value)
    if name == "kind":
        return _(KIND_LABELS.get(value, "任务"))
    return value


def describe_due(expression: str) -> str | None:
    """"add_working_days(now(), 7)" → "7 个工作日内"; None when it is not one of the simple rules."""
    match = re.fullmatch(r"add_working_days\(\s*now\(\)\s*,\s*(\d+)\s*\)", expression.strip())
    if match:
        return _("%(n)s 个工作日内", n=match.group(1))
    match = re.fullmatch(r"now\(\)\s*\+\s*timedelta\(\s*days\s*=\s*(\d+)\s*\)", expression.strip())
    if match:
        return _("%(n)s 日内", n=match.group(1))
    return None


def _rows(result: publishing.VersionDiff) -> list[dict[str, Any]]:
    """One row per changed element, every value in words."""
    rows = []
    for item in result.elements:
        element = item.element
        if item.change == "added":
            fields = [(n, "", element.values[n]) for n in SHOWN_WHEN_ADDED if element.values.get(n)]
        else:
            fields = item.fields
        rows.append({"change": item.change, "name": result.labels.get(element.element_id, element.name),
                     "kind": _(KIND_LABELS.get(element.kind, "任务")),
                     "fields": [(_(FIELD_LABELS.get(n, "属性")), _display(n, old, result), _display(n, new, result))
                                for n, old, new in fields]})
    return rows


def _definition_or_404(definition_id: int) -> Any:
    try:
        return trials.get_definition(definition_id)
    except NotFound:
        abort(404)


@bp.route("/<int:definition_id>/trial", methods=["POST"])
@roles(Role.LEGAL)
def start_trial(definition_id: int) -> Any:
    """Start a trial case on a draft and open it."""
    _definition_or_404(definition_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        case = trials.start_trial(current_user, definition_id, request.form.get("subject", ""))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(translate(exc), "danger")
        if isinstance(exc, DefinitionInvalid):
            english = str(get_locale() or "") == "en"
            for problem in exc.problems:
                message = problem.message_en if english else problem.message_zh
                flash(f"{problem.element_name or problem.element_id}：{message}" if problem.element_id else message,
                      "danger")
        return redirect(url_for("processes.show", definition_id=definition_id))
    flash(_("试用案件已开始：所有环节都由您办理，不会出现在他人的待办中。"), "success")
    return redirect(url_for("workflow.case_page", case_id=case.id))


@bp.route("/<int:definition_id>/publish", methods=["GET", "POST"])
@roles(Role.LEGAL)
def publish(definition_id: int) -> Any:
    """The draft against the published version (diagram coloured, changes listed); publish with a reason."""
    draft = _definition_or_404(definition_id)
    base = publishing.current_published(draft.process_id)
    form = ConfirmForm()
    errors: dict[str, list[str]] = {}
    problems: list[Any] = []
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            publishing.publish(current_user, draft.id, request.form.get("reason", ""))
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            errors, status = {k: [_(m) for m in v] for k, v in exc.errors.items()}, 400
        except DefinitionInvalid as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            problems, status = exc.problems, 422
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            status = 409
        else:
            flash(_("已发布第 %(version)s 版。新案件按此版本办理，办理中的案件仍按原版本。", version=draft.version),
                  "success")
            return redirect(url_for("processes.show", definition_id=draft.id))
    result = publishing.diff(draft, base)
    return render_template("modeler/publish.html", draft=draft, base=base, diff=result, form=form, errors=errors,
                           main_file=main_file(draft), rows=_rows(result), english=str(get_locale() or "") == "en",
                           problems=problems, reason=request.form.get("reason", ""), kinds=KIND_LABELS,
                           labels=FIELD_LABELS), status


@bp.route("/<int:definition_id>/migrate", methods=["GET", "POST"])
@roles(Role.LEGAL)
def migrate(definition_id: int) -> Any:
    """Running cases on older versions, each with its preview; migrate one case (one transaction) with a reason."""
    target = _definition_or_404(definition_id)
    form = ConfirmForm()
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        case_id = request.form.get("case_id", type=int) or 0
        try:
            migration.migrate_case(current_user, case_id, target.id, request.form.get("reason", ""))
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            errors, status = {str(case_id): [_(m) for v in exc.errors.values() for m in v]}, 400
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            status = 409
        else:
            flash(_("案件 #%(case)s 已迁移到第 %(version)s 版。", case=case_id, version=target.version), "success")
            return redirect(url_for("versions.migrate", definition_id=target.id))
    previews = [migration.preview(case.id, target.id) for case in migration.candidates(target)[:50]]
    return render_template("modeler/migrate.html", target=target, previews=previews, form=form, errors=errors,
                           reason=request.form.get("reason", ""), translate=translate), status
