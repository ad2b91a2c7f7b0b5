"""Process definition versions: list, view, publish a draft."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.roles import Role
from app.extensions import db
from app.modeler.web import get_definition, render_version_page
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions

bp = Blueprint("processes", __name__, url_prefix="/processes")
VIEWERS = (Role.LEGAL, Role.ADMIN, Role.AUDITOR)


@bp.route("/")
@roles(*VIEWERS)
def index() -> Any:
    """Every version of every process."""
    return render_template("workflow/definitions.html", definitions=definitions.list_definitions())


@bp.route("/<int:definition_id>")
@roles(*VIEWERS)
def show(definition_id: int) -> Any:
    """One version: its diagrams drawn, every step explained, its forms and decision tables, its files."""
    return render_version_page(get_definition(definition_id))


@bp.route("/<int:definition_id>/publish", methods=["POST"])
@roles(Role.LEGAL)
def publish(definition_id: int) -> Any:
    """Publish a draft: new cases start on it; running cases keep their version."""
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None:
        abort(404)
    problems = definitions.validate_bundle(definitions.Bundle(definition.process_id, definition.name,
                                                              definition.files, definition.forms))
    if problems:
        flash(_("流程图未通过校验：共 %(count)s 个问题。", count=len(problems)), "danger")
        return render_version_page(definition, 422, problems=problems)
    definitions.publish_version(current_user, definition)
    db.session.commit()
    flash(_("已发布第 %(version)s 版。", version=definition.version), "success")
    return redirect(url_for("processes.show", definition_id=definition.id))
