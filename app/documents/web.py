"""Downloading and regenerating a case's documents."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles, signed_in
from app.auth.roles import Role
from app.bureaus.web import reaches_down
from app.documents.services import bureau, documents
from app.errors import DomainError, NotFound
from app.extensions import db
from app.web_helpers import translate
from app.workflow.services import cases
from app.workflow.services.access import may_view_case

bp = Blueprint("documents", __name__, url_prefix="/documents")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def configure(app: Flask) -> None:
    """The issuing agency's names from configuration, until an administrator saves the bureau settings."""
    bureau.configure(app.config["AGENCY_NAME"], app.config["AGENCY_SHORT_NAME"])


def _document(document_id: int) -> Any:
    try:
        document = documents.get_document(document_id)
    except NotFound:
        abort(404)
    if document.case_id is None or not may_view_case(current_user, cases.get_case(document.case_id)):
        abort(403)
    return document


@bp.route("/<int:document_id>")
@signed_in
@reaches_down()
def download(document_id: int) -> Any:
    """The .docx, to those who may see its case."""
    document = _document(document_id)
    return send_file(io.BytesIO(document.content), mimetype=DOCX, as_attachment=True,
                     download_name=document.filename)


@bp.route("/draws/<int:draw_id>/<int:document_id>")
@roles(Role.SUPERVISION, Role.DISCIPLINE, Role.LEADER, Role.LEGAL, Role.AUDITOR, Role.ADMIN)
@reaches_down()
def download_draw_document(draw_id: int, document_id: int) -> Any:
    """A draw's document (the results report)."""
    try:
        document = documents.get_document(document_id)
    except NotFound:
        abort(404)
    if document.draw_id != draw_id:
        abort(404)
    return send_file(io.BytesIO(document.content), mimetype=DOCX, as_attachment=True,
                     download_name=document.filename)


@bp.route("/<int:document_id>/regenerate", methods=["POST"])
@roles(Role.INSPECTOR, Role.LEGAL, Role.SUPERVISION)
def regenerate(document_id: int) -> Any:
    """A new version from the case's current data; the earlier versions stay."""
    document = _document(document_id)
    case = cases.get_case(document.case_id)
    try:
        new = documents.regenerate(current_user, document.id, cases.case_data(case))
    except DomainError as exc:  # e.g. a required field blank: nothing generated
        db.session.rollback()
        flash(translate(exc), "danger")
        return redirect(url_for("workflow.case_page", case_id=case.id))
    db.session.commit()
    flash(_("已生成 %(number)s 的第 %(version)s 版。", number=new.number, version=new.version), "success")
    return redirect(url_for("workflow.case_page", case_id=case.id))
