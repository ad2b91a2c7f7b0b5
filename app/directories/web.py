"""Directory and list pages: browse, search, edit, deactivate, import (preview then confirm), export."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import signed_in
from app.auth.forms import ConfirmForm
from app.directories.services import exporting, importing, records
from app.directories.services.reader import ImportRejected, read_table
from app.directories.services.specs import SPECS, ListSpec, get_spec
from app.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.web_helpers import translate

bp = Blueprint("directories", __name__, url_prefix="/directories")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _spec(kind: str) -> ListSpec:
    try:
        return get_spec(kind)
    except KeyError:
        abort(404)


def _may_edit(spec: ListSpec) -> bool:
    return bool(current_user.role_set & spec.editors)


def _query_from_args(spec: ListSpec) -> records.Query:
    args = request.args
    expiring = args.get("expiring", type=int) if spec.kind == "officers" else None
    return records.Query(
        q=(args.get("q") or "").strip()[:100],
        filters=tuple((key, args.get(key, "")) for key in spec.filters),
        active=args.get("active", "yes") if args.get("active") in ("yes", "no", "all") else "yes",
        expiring_days=expiring if expiring is not None and 0 <= expiring <= 3650 else None,
        sort=args.get("sort", ""), descending=args.get("dir") == "desc",
        page=max(1, args.get("page", 1, type=int) or 1),
    )


@bp.route("/")
@signed_in
def index() -> Any:
    """Every directory and list with its number of active records."""
    counts = {kind: records.search(spec, records.Query(per_page=1))[1] for kind, spec in SPECS.items()}
    return render_template("directories/index.html", specs=SPECS, counts=counts)


@bp.route("/<kind>/")
@signed_in
def list_records(kind: str) -> Any:
    """Search, filter, sort and page through one list."""
    spec = _spec(kind)
    query = _query_from_args(spec)
    rows, total = records.search(spec, query)
    pages = max(1, (total + query.per_page - 1) // query.per_page)
    return render_template("directories/list.html", spec=spec, rows=rows, total=total, query=query, pages=pages,
                           may_edit=_may_edit(spec), labels=_labels(spec, rows))


def _labels(spec: ListSpec, rows: list[Any]) -> dict[str, dict[Any, str]]:
    """Display texts for tier ids and object ids in these rows."""
    from sqlalchemy import select

    from app.directories.models import InspectionObject, Tier

    labels: dict[str, dict[Any, str]] = {}
    for column in spec.columns:
        ids = {getattr(r, column.key) for r in rows}
        if column.kind == "tier":
            labels[column.key] = dict(db.session.execute(select(Tier.id, Tier.name)).all())
        elif column.kind == "object" and ids:
            labels[column.key] = dict(db.session.execute(
                select(InspectionObject.id, InspectionObject.name).where(InspectionObject.id.in_(ids))).all())
    return labels


def _raw_from_form(spec: ListSpec) -> dict[str, str]:
    return {c.key: request.form.get(c.key, "") for c in spec.columns}


@bp.route("/<kind>/new", methods=["GET", "POST"])
@signed_in
def create(kind: str) -> Any:
    """A new record (editors only)."""
    spec = _spec(kind)
    if not _may_edit(spec):
        abort(403)
    errors: dict[str, list[str]] = {}
    raw = _raw_from_form(spec) if request.method == "POST" else {}
    if request.method == "POST":
        try:
            record = records.create(current_user, spec, raw)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("directories.show", kind=kind, record_id=record.id))
    return render_template("directories/form.html", spec=spec, record=None, raw=raw, errors=errors,
                           choices=_choices(spec)), 400 if errors else 200


def _choices(spec: ListSpec) -> dict[str, list[tuple[str, str]]]:
    from sqlalchemy import select

    from app.directories.models import Tier

    result: dict[str, list[tuple[str, str]]] = {}
    for column in spec.columns:
        if column.kind == "choice":
            result[column.key] = [(code, _(label)) for code, label in column.choices]
        elif column.kind == "tier":
            result[column.key] = [(str(i), n) for i, n in db.session.execute(
                select(Tier.id, Tier.name).where(Tier.active.is_(True)).order_by(Tier.position))]
    return result


@bp.route("/<kind>/<int:record_id>", methods=["GET", "POST"])
@signed_in
def show(kind: str, record_id: int) -> Any:
    """A record; editors change it here (POST)."""
    spec = _spec(kind)
    try:
        record = records.get(spec, record_id)
    except NotFound:
        abort(404)
    errors: dict[str, list[str]] = {}
    raw = _record_as_raw(spec, record)
    if request.method == "POST":
        if not _may_edit(spec):
            abort(403)
        raw = _raw_from_form(spec)
        try:
            changes = records.update(current_user, spec, record, raw)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
            record = records.get(spec, record_id)
        else:
            db.session.commit()
            flash(_("已保存。") if changes else _("没有改动。"), "success" if changes else "info")
            return redirect(url_for("directories.show", kind=kind, record_id=record_id))
    from app.audit.services import list_events

    history, _n = list_events(page=1, per_page=100, object_type=kind, object_id=str(record_id))
    return render_template("directories/form.html", spec=spec, record=record, raw=raw, errors=errors,
                           choices=_choices(spec), may_edit=_may_edit(spec), history=history,
                           confirm_form=ConfirmForm()), 400 if errors else 200


def _record_as_raw(spec: ListSpec, record: Any) -> dict[str, str]:
    from app.directories.models import InspectionObject

    raw = {}
    for column in spec.columns:
        value = getattr(record, column.key)
        if column.kind == "object" and value is not None:
            value = db.session.get(InspectionObject, value).credit_code
        raw[column.key] = "" if value is None else str(records.plain(value))
    return raw


@bp.route("/<kind>/<int:record_id>/active", methods=["POST"])
@signed_in
def set_active(kind: str, record_id: int) -> Any:
    """Deactivate or reactivate."""
    spec = _spec(kind)
    if not _may_edit(spec):
        abort(403)
    try:
        records.set_active(current_user, spec, records.get(spec, record_id), request.form.get("active") == "1")
    except NotFound:
        abort(404)
    db.session.commit()
    flash(_("已保存。"), "success")
    return redirect(url_for("directories.show", kind=kind, record_id=record_id))


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/<kind>/import", methods=["GET", "POST"])
@signed_in
def import_file(kind: str) -> Any:
    """Upload → preview with every problem; confirm → write (all rows, or only the valid ones if asked)."""
    spec = _spec(kind)
    if not _may_edit(spec):
        abort(403)
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("directories/import.html", spec=spec, preview=None, form=form)
    token = request.form.get("token", "")
    if token:
        return _confirm(spec, token, form)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要导入的文件。"), "danger")
        return render_template("directories/import.html", spec=spec, preview=None, form=form), 400
    data = upload.read(10 * 1024 * 1024 + 1)
    try:
        table = read_table(upload.filename, data)
        preview = importing.preview(spec, table)
    except ImportRejected as exc:
        flash(translate(exc), "danger")
        return render_template("directories/import.html", spec=spec, preview=None, form=form), 400
    token = secrets.token_hex(16)
    suffix = ".csv" if upload.filename.lower().endswith((".csv", ".txt")) else ".xlsx"
    (_upload_dir() / f"{token}{suffix}").write_bytes(data)
    return render_template("directories/import.html", spec=spec, preview=preview, form=form, token=token,
                           filename=upload.filename)


def _confirm(spec: ListSpec, token: str, form: ConfirmForm) -> Any:
    if not all(c in "0123456789abcdef" for c in token) or len(token) != 32:
        abort(400)
    matches = list(_upload_dir().glob(f"{token}.*"))
    if not matches:
        flash(_("上传的文件已过期，请重新上传。"), "danger")
        return redirect(url_for("directories.import_file", kind=spec.kind))
    path = matches[0]
    data = path.read_bytes()
    filename = request.form.get("filename", path.name)[:200]
    try:
        result = importing.commit(current_user, spec, read_table(path.name, data),
                                  only_valid_rows=request.form.get("only_valid") == "1",
                                  file_sha256=hashlib.sha256(data).hexdigest(), filename=filename,
                                  blank_clears=request.form.get("blank_clears") == "1")
    except (ImportRejected, PermissionDenied) as exc:
        db.session.rollback()
        flash(translate(exc), "danger")
        preview = importing.preview(spec, read_table(path.name, data))
        return render_template("directories/import.html", spec=spec, preview=preview, form=form, token=token,
                               filename=filename), 400
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("导入完成：新增 %(created)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条，跳过有误 %(skipped)s 条。",
            created=result.count("create"), updated=result.count("update"), unchanged=result.count("unchanged"),
            skipped=result.count("error")), "success")
    return redirect(url_for("directories.list_records", kind=spec.kind))


@bp.route("/<kind>/template.xlsx")
@signed_in
def template(kind: str) -> Response:
    """The empty import template."""
    spec = _spec(kind)
    return _xlsx(exporting.template(spec, _), f"{_(spec.title)}-导入模板.xlsx")


@bp.route("/<kind>/export.xlsx")
@signed_in
def export(kind: str) -> Response:
    """The current search as .xlsx (up to 100,000 rows)."""
    spec = _spec(kind)
    query = _query_from_args(spec)
    rows, _total = records.search(spec, records.Query(**{**query.__dict__, "page": 1, "per_page": 100_000}))
    return _xlsx(exporting.export(spec, rows, _), f"{_(spec.title)}.xlsx")


def _xlsx(data: bytes, name: str) -> Response:
    import io

    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Any:
    db.session.rollback()
    if isinstance(exc, PermissionDenied):
        abort(403)
    flash(translate(exc), "danger")
    return redirect(request.referrer or url_for("directories.index"))
