"""Process definition versions: list and view (publishing is in app/modeler/versions_web.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.services.tree import all_bureaus
from app.errors import DomainError
from app.extensions import db
from app.modeler.web import get_definition, render_version_page
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
    """One version: its diagrams drawn, every step explained, its forms and decision tables, its files."""
    definition = get_definition(definition_id)
    if not definitions.may_read(definition):
        abort(404)
    return render_version_page(definition)


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
    """Publishing needs the comparison and a reason: send the user to that page."""
    return redirect(url_for("versions.publish", definition_id=definition_id), code=303)
