"""Versions beyond editing: try a draft, compare and publish it with a reason, move running cases onto it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.modeler.services import migration, publishing, trials
from app.modeler.services.engine_elements import FIELD_LABELS, KIND_LABELS, main_file
from app.web_helpers import translate
from app.workflow.services.definitions import DefinitionInvalid

bp = Blueprint("versions", __name__, url_prefix="/versions")


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
            for problem in exc.problems:
                flash(problem.render(), "danger")
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
                           main_file=main_file(draft),
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
