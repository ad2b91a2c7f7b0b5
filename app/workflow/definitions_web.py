"""Process definition versions: list, view, publish a draft."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.services.tree import all_bureaus, get_bureau
from app.errors import DomainError
from app.extensions import db
from app.web_helpers import translate
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions

bp = Blueprint("processes", __name__, url_prefix="/processes")
VIEWERS = (Role.LEGAL, Role.ADMIN, Role.AUDITOR)


@bp.route("/")
@roles(*VIEWERS)
def index() -> Any:
    """Every version of every process."""
    return render_template("workflow/definitions.html", definitions=definitions.list_definitions(),
                           in_use={d.id for d in definitions.in_use()}, bureaus={b.id: b for b in all_bureaus()})


@bp.route("/<int:definition_id>")
@roles(*VIEWERS)
def show(definition_id: int) -> Any:
    """One version: its files, forms and hash."""
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None or not definitions.may_read(definition):
        abort(404)
    return render_template("workflow/definition.html", definition=definition, form=ConfirmForm(),
                           owner=get_bureau(definition.bureau_id) if definition.bureau_id else None,
                           may_publish=definitions.may_publish(current_user.bureau_id, definition),
                           may_adopt=definition.bureau_id != current_user.bureau_id)


@bp.route("/<int:definition_id>/adopt", methods=["POST"])
@roles(Role.LEGAL)
def adopt(definition_id: int) -> Any:
    """Take a higher bureau's (or the standard) version as a draft of this bureau's own variant."""
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None or not definitions.may_read(definition):
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        copy = definitions.adopt_as_local(current_user, definition)
    except DomainError as exc:
        db.session.rollback()
        flash(translate(exc), "danger")
        return redirect(url_for("processes.show", definition_id=definition.id))
    db.session.commit()
    flash(_("已建立本局版本（草稿）第 %(version)s 版；修改后发布即用于本局的新案件。", version=copy.version), "success")
    return redirect(url_for("processes.show", definition_id=copy.id))


@bp.route("/<int:definition_id>/publish", methods=["POST"])
@roles(Role.LEGAL)
def publish(definition_id: int) -> Any:
    """Publish a draft: new cases start on it; running cases keep their version."""
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None or not definitions.may_read(definition):
        abort(404)
    problems = definitions.validate_bundle(definitions.Bundle(definition.process_id, definition.name,
                                                              definition.files, definition.forms))
    if problems:
        flash(_("流程图未通过校验：共 %(count)s 个问题。", count=len(problems)), "danger")
        return render_template("workflow/definition.html", definition=definition, form=ConfirmForm(),
                               problems=problems), 422
    if not definitions.may_publish(current_user.bureau_id, definition):
        flash(_("只能发布本局的版本；上级局的标准流程由上级局发布，本局可“采用为本局版本”后修改发布。"), "danger")
        return redirect(url_for("processes.show", definition_id=definition.id))
    definitions.publish_version(current_user, definition)
    db.session.commit()
    flash(_("已发布第 %(version)s 版。", version=definition.version), "success")
    return redirect(url_for("processes.show", definition_id=definition.id))
