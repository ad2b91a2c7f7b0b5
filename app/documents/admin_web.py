"""The administrator's bureau settings page (机关设置): what every document prints about the bureau."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField

from app.access import roles
from app.auth.roles import Role
from app.documents.services import bureau
from app.errors import DomainError
from app.extensions import db
from app.web_helpers import show_domain_error

bp = Blueprint("bureau", __name__, url_prefix="/admin/bureau")

HELP = {
    "short_name": _l("文号开头的机关代字，例如“六档”：六档罚〔2026〕1号。"),
    "reconsideration_body": _l("决定书告知的行政复议机关，例如“示例市人民政府”。"),
    "court": _l("决定书告知的管辖人民法院。"),
    "account_no": _l("决定书和催告书告知的罚款缴纳账号。"),
    "signatory": _l("签发文书的机关负责人。"),
}


class BureauForm(FlaskForm):
    """Every setting as a text field, plus the seal image."""

    seal = FileField(_l("印章图片（PNG，可选）"))
    remove_seal = BooleanField(_l("删除已上传的印章图片"))


for _spec in bureau.FIELDS:
    setattr(BureauForm, _spec.name, StringField(_l(_spec.label)))


@bp.route("/", methods=["GET", "POST"])
@roles(Role.ADMIN)
def settings() -> Any:
    """Show and save the settings (audited); a refused save keeps what was typed."""
    row = bureau.settings_row()
    form = BureauForm(obj=row if request.method == "GET" else None)
    if request.method == "GET" and row is None:
        current = bureau.get_bureau()
        for spec in bureau.FIELDS:
            getattr(form, spec.name).data = getattr(current, spec.name)
    if form.validate_on_submit():
        upload = form.seal.data
        seal = upload.read() if upload and getattr(upload, "filename", "") else None
        values = {spec.name: getattr(form, spec.name).data for spec in bureau.FIELDS}
        try:
            bureau.update_bureau(current_user, values, seal=seal, remove_seal=bool(form.remove_seal.data))
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(exc, form)
            return _page(form, row), 400
        db.session.commit()
        flash(_("机关设置已保存，此后生成的文书使用新的设置。"), "success")
        return redirect(url_for("bureau.settings"))
    return _page(form, row), 400 if request.method == "POST" else 200


def _page(form: BureauForm, row: Any) -> str:
    return render_template("admin/bureau.html", form=form, row=row, fields=bureau.FIELDS, help=HELP)


@bp.route("/seal.png")
@roles(Role.ADMIN)
def seal() -> Any:
    """The uploaded seal image (for the settings page)."""
    current = bureau.get_bureau()
    if not current.seal_png:
        abort(404)
    return send_file(io.BytesIO(current.seal_png), mimetype="image/png")
