"""The upward view (上下联动): roll-ups per bureau for the city's supervision, leaders and auditors, and 挂牌督办."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.models import Supervision
from app.bureaus.services import rollup, supervision, tree
from app.bureaus.web import reaches_down
from app.clock import local_today
from app.errors import DomainError, NotFound
from app.extensions import db
from app.web_helpers import field_errors, translate
from app.workflow.services import cases

bp = Blueprint("oversight", __name__, url_prefix="/oversight")


@bp.route("/")
@roles(Role.SUPERVISION, Role.LEADER, Role.AUDITOR)
@reaches_down()
def overview() -> Any:
    """Figures of this bureau and every bureau below it (per bureau and total), and the supervised cases."""
    year = request.args.get("year", type=int) or local_today().year
    rows, total = rollup.rollup(current_user.bureau_id, year)
    return render_template("bureaus/rollup.html", rows=rows, total=total, year=year,
                           supervised=rollup.supervised_cases(current_user.bureau_id), today=local_today(),
                           is_overdue=supervision.is_overdue)


def _case_or_404(case_id: int) -> Any:
    try:
        return cases.get_case(case_id)
    except NotFound:
        abort(404)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@bp.route("/cases/<int:case_id>/supervise", methods=["GET", "POST"])
@roles(Role.SUPERVISION, Role.LEADER)
@reaches_down(on_post=True)
def supervise(case_id: int) -> Any:
    """挂牌督办 a lower bureau's case: reason, deadline and how often the bureau reports progress."""
    case = _case_or_404(case_id)
    values = {k: (request.form.get(k) or "").strip() for k in ("reason", "deadline", "report_every_days")}
    errors: dict[str, list[str]] = {}
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        every = values["report_every_days"]
        try:
            supervision.supervise(current_user, case, reason=values["reason"], deadline=_date(values["deadline"]),
                                  report_every_days=int(every) if every.isdigit() else None)
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            errors = field_errors(exc)
        else:
            db.session.commit()
            flash(_("已挂牌督办。"), "success")
            return redirect(url_for("workflow.case_page", case_id=case.id))
    elif request.method == "GET":
        values["report_every_days"] = "10"
    return render_template("bureaus/supervise.html", case=case, bureau=tree.get_bureau(case.bureau_id),
                           values=values, errors=errors, form=form), 400 if errors else 200


@bp.route("/supervisions/<int:supervision_id>/lift", methods=["POST"])
@roles(Role.LEADER)
@reaches_down(on_post=True)
def lift(supervision_id: int) -> Any:
    """A leader of the supervising bureau lifts the supervision (reason required)."""
    row = db.session.get(Supervision, supervision_id)
    if row is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            supervision.lift(current_user, row, request.form.get("lift_reason") or "")
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
        else:
            db.session.commit()
            flash(_("已解除挂牌督办。"), "success")
    return redirect(url_for("workflow.case_page", case_id=row.case_id))


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@roles(Role.LEGAL, Role.SUPERVISION, Role.LEADER, Role.AUDITOR)
@reaches_down()
def report(report_id: int) -> Any:
    """A progress report of a supervised case: the county's legal section fills it in; others read it."""
    try:
        row = supervision.get_report(report_id)
    except NotFound:
        abort(404)
    sup = db.session.get(Supervision, row.supervision_id)
    case = _case_or_404(row.case_id)
    form = ConfirmForm()
    progress = (request.form.get("progress") or "").strip()
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.validate_on_submit():
        try:
            supervision.submit_report(current_user, row, progress)
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            errors = field_errors(exc)
        else:
            db.session.commit()
            flash(_("进展报告已提交。"), "success")
            return redirect(url_for("workflow.case_page", case_id=case.id))
    may_submit = (row.status == "open" and row.bureau_id == current_user.bureau_id
                  and Role.LEGAL in current_user.role_set)
    return render_template("bureaus/report.html", report=row, supervision=sup, case=case, form=form,
                           progress=progress, errors=errors, may_submit=may_submit,
                           supervising=tree.get_bureau(sup.supervising_bureau_id) if sup else None,
                           overdue=supervision.is_overdue(row)), 400 if errors else 200


def report_for_task(task_id: int) -> int | None:
    """The progress report behind an inbox task (the inbox links report tasks here)."""
    from app.bureaus.models import SupervisionReport

    return db.session.scalar(select(SupervisionReport.id).where(SupervisionReport.task_id == task_id))
