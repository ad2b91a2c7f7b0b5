"""Process definition versions: list and view (publishing is in app/modeler/versions_web.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for

from app.access import roles
from app.auth.roles import Role
from app.modeler.web import get_definition, render_version_page
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
    """Publishing needs the comparison and a reason: send the user to that page."""
    return redirect(url_for("versions.publish", definition_id=definition_id), code=303)
