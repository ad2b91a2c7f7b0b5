"""Generating and downloading a case file (案卷): requested from the case page, built in the background."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import signed_in
from app.auth.forms import ConfirmForm
from app.bureaus import context
from app.casefile.services import jobs
from app.errors import NotFound
from app.extensions import db
from app.workflow.case_web import viewable_case

bp = Blueprint("casefile", __name__)


def _root() -> Path:
    return Path(current_app.instance_path) / "casefiles"


def _attachments() -> Path:
    return Path(current_app.config["FILES_DIR"]) / "attachments"


def _visible(case_file_id: int) -> Any:
    try:
        record = jobs.get_case_file(case_file_id)
    except NotFound:
        abort(404)
    return record, viewable_case(record.case_id)


def _run_in_background(app: Flask, case_file_id: int, root: Path, attachments_dir: Path) -> None:
    scope = context.current()  # a new thread starts without the request's bureau context: hand it over

    def work() -> None:
        with app.app_context(), context.use(scope):
            jobs.run_job(case_file_id, root, attachments_dir)
            db.session.remove()

    threading.Thread(target=work, name=f"casefile-{case_file_id}", daemon=True).start()


@bp.route("/cases/<int:case_id>/casefile", methods=["POST"])
@signed_in
def request_file(case_id: int) -> Any:
    """Start building the case file; the progress page follows it."""
    case = viewable_case(case_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    record = jobs.request_case_file(current_user, case)
    db.session.commit()
    if current_app.testing and not current_app.config.get("CASEFILE_BACKGROUND"):
        jobs.run_job(record.id, _root(), _attachments())  # tests: inline, inside the test's transaction
    else:
        _run_in_background(current_app._get_current_object(), record.id, _root(), _attachments())  # type: ignore[attr-defined]
    return redirect(url_for("casefile.show", case_file_id=record.id))


@bp.route("/casefiles/<int:case_file_id>")
@signed_in
def show(case_file_id: int) -> Any:
    """The build's progress, then its downloads."""
    record, case = _visible(case_file_id)
    return render_template("casefile/show.html", record=record, case=case)


@bp.route("/casefiles/<int:case_file_id>/status")
@signed_in
def status(case_file_id: int) -> Any:
    """Progress as JSON for the page's polling script."""
    record, _case = _visible(case_file_id)
    return jsonify(status=record.status, progress=record.progress, stage=_(record.stage) if record.stage else "",
                   done=record.status in ("done", "failed"))


@bp.route("/casefiles/<int:case_file_id>/<any('volume.pdf', 'casefile.zip'):name>")
@signed_in
def download(case_file_id: int, name: str) -> Any:
    """The merged PDF or the ZIP with its manifest."""
    record, case = _visible(case_file_id)
    if record.status != "done":
        abort(404)
    path = _root() / record.folder / name
    if not path.exists():
        abort(404)
    suffix = "pdf" if name.endswith(".pdf") else "zip"
    return send_file(path, as_attachment=True, download_name=f"案卷-{case.id}-{record.id}.{suffix}",
                     mimetype="application/pdf" if suffix == "pdf" else "application/zip")
