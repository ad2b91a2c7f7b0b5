"""Administrators enter holidays and make-up workdays for years the official calendar package does not cover."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.calendar import services
from app.errors import DomainError
from app.extensions import db
from app.web_helpers import translate

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")


@bp.route("/", methods=["GET", "POST"])
@roles(Role.ADMIN)
def overrides() -> Any:
    """List overrides; POST adds or changes one."""
    form = ConfirmForm()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            flash(_("日期格式应为 YYYY-MM-DD。"), "danger")
            status = 400
        else:
            kind = request.form.get("kind")
            if kind not in ("workday", "rest"):
                flash(_("请选择工作日或休息日。"), "danger")
                status = 400
            else:
                try:
                    services.set_override(current_user, day, kind == "workday", request.form.get("note", "").strip())
                except DomainError as exc:
                    db.session.rollback()
                    flash(translate(exc), "danger")
                    status = 400
                else:
                    db.session.commit()
                    flash(_("已保存。"), "success")
                    return redirect(url_for("calendar.overrides"))
    covered = [year for year in range(date.today().year - 1, date.today().year + 3)
               if services.package_covers(date(year, 6, 1))]
    return render_template("calendar/overrides.html", overrides=services.list_overrides(), form=form,
                           covered=covered), status
