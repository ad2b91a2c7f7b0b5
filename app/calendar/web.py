"""Administrators enter holidays and make-up workdays for years the official calendar package does not cover."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.calendar import services, yearly
from app.clock import local_today, to_local
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
    return _overrides_page(form, status)


def _overrides_page(form: ConfirmForm, status: int, schedule: str = "", year: int | None = None,
                    problems: list[str] | None = None) -> Any:
    covered = yearly.covered_years()
    today = local_today()
    warn = yearly.years_to_warn(today, covered)
    years = [(y, y in covered, y in yearly.package_years()) for y in range(today.year - 1, today.year + 3)]
    return render_template("calendar/overrides.html", overrides=services.list_overrides(), form=form,
                           covered=sorted(y for y in covered if y >= today.year - 1), years=years, warn=warn,
                           schedule=schedule, import_year=year or (warn[-1] if warn else today.year + 1),
                           problems=problems or []), status


@bp.route("/years/<int:year>")
@roles(Role.ADMIN)
def year_view(year: int) -> Any:
    """The year's holidays and make-up workdays: built-in, imported or entered."""
    if not 2000 <= year <= 2100:
        abort(404)
    return render_template("calendar/year.html", year=year, days=yearly.year_days(year),
                           covered=yearly.is_covered(year), builtin=year in yearly.package_years())


@bp.route("/import", methods=["POST"])
@roles(Role.ADMIN)
def import_year() -> Any:
    """Import a year's schedule from a file or from ranges typed at once (all or nothing)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    year = request.form.get("year", type=int) or 0
    upload = request.files.get("file")
    source = _("手工录入")
    text = request.form.get("schedule", "")
    if upload and upload.filename:
        raw = upload.stream.read(200_000)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        source = upload.filename
    try:
        row = yearly.import_schedule(current_user, year, text, source)
        db.session.commit()
    except yearly.ScheduleInvalid as exc:
        db.session.rollback()
        flash(translate(exc), "danger")
        problems = [_(message, **params) for message, params in exc.problems]
        return _overrides_page(form, 400, text, year, problems)
    except DomainError as exc:
        db.session.rollback()
        flash(translate(exc), "danger")
        return _overrides_page(form, 400, text, year)
    flash(_("已导入 %(year)s 年的节假日安排（%(n)s 段）。", year=row.year, n=row.ranges), "success")
    return redirect(url_for("calendar.year_view", year=row.year))


def init_app(app: Flask) -> None:
    """Templates: `uncovered(moment)` says whether a date falls in a year without official holidays; admins see
    `calendar_warning()` — the years to import — on every page."""

    def _covered() -> set[int]:
        if "covered_years" not in g:
            g.covered_years = yearly.covered_years()
        return g.covered_years

    @app.template_filter("uncovered")
    def _uncovered(moment: Any) -> bool:
        if moment is None:
            return False
        day = to_local(moment).date() if isinstance(moment, datetime) else moment
        return day.year not in _covered()

    @app.context_processor
    def _warning() -> dict[str, Any]:
        def calendar_warning() -> list[int]:
            if not getattr(current_user, "is_authenticated", False) or Role.ADMIN not in current_user.role_set:
                return []
            return yearly.years_to_warn(local_today(), _covered())
        return {"calendar_warning": calendar_warning}
