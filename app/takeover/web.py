"""Leaders and administrators take work over: a case's management page and the delegations page."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus.users import users_in_scope
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.takeover.services import actions, delegations
from app.web_helpers import translate
from app.workflow.services import cases, inbox

bp = Blueprint("takeover", __name__)
MANAGERS = (Role.LEADER, Role.ADMIN)


def _errors(exc: ValidationFailed) -> dict[str, list[str]]:
    return {k: [_(m) for m in v] for k, v in exc.errors.items()}


@bp.route("/cases/<int:case_id>/manage", methods=["GET", "POST"])
@roles(*MANAGERS)
def manage_case(case_id: int) -> Any:
    """Reassign the case's open tasks; suspend, resume or cancel the case — each with a reason."""
    try:
        case = cases.get_case(case_id)
    except NotFound:
        abort(404)
    form = ConfirmForm()
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        op = request.form.get("op", "")
        try:
            if op == "reassign":
                task_id = request.form.get("task_id", type=int) or 0
                if cases.get_task(task_id).case_id != case.id:
                    abort(404)
                task = actions.reassign(current_user, task_id, request.form.get("to_user_id", type=int),
                                        request.form.get("reason", ""), request.form.get("from_user_id", type=int))
                message = _("任务“%(name)s”已转派。", name=task.name)
            elif op in actions.CASE_ACTIONS:
                actions.change_case(current_user, case.id, op, request.form.get("reason", ""))
                message = {"suspend": _("案件已暂停。"), "resume": _("案件已恢复办理。"),
                           "cancel": _("案件已撤销。")}[op]
            else:
                abort(400)
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            errors, status = _errors(exc), 400
            flash(translate(exc), "danger")
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "warning")
            status = 409
        else:
            flash(message, "success")
            return redirect(url_for("takeover.manage_case", case_id=case.id))
        case = cases.get_case(case_id)
    open_tasks = [t for t in inbox.case_tasks(case) if t.state == "ready"]
    users = {u.id: u for u in db.session.scalars(users_in_scope(select(User)))}
    return render_template("takeover/manage.html", case=case, open_tasks=open_tasks, form=form, errors=errors,
                           candidates={t.id: actions.candidates(t) for t in open_tasks}, users=users,
                           posted=request.form if request.method == "POST" else {}), status


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None


@bp.route("/delegations", methods=["GET", "POST"])
@roles(*MANAGERS)
def delegation_list() -> Any:
    """Current and coming delegations, and a form to add one."""
    form = ConfirmForm()
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            delegations.create(current_user, request.form.get("delegator_id", type=int) or 0,
                               request.form.get("delegate_id", type=int) or 0, _date("starts_on"), _date("ends_on"),
                               request.form.get("reason", ""))
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            errors, status = _errors(exc), 400
            flash(translate(exc), "danger")
        else:
            flash(_("代理已设置。"), "success")
            return redirect(url_for("takeover.delegation_list"))
    users = list(db.session.scalars(users_in_scope(select(User).where(User.active.is_(True))
                                                   .order_by(User.full_name))))
    return render_template("takeover/delegations.html", delegations=delegations.current_and_future(), users=users,
                           form=form, errors=errors, posted=request.form if request.method == "POST" else {}), status


@bp.route("/delegations/<int:delegation_id>/revoke", methods=["POST"])
@roles(*MANAGERS)
def revoke_delegation(delegation_id: int) -> Any:
    """End a delegation now."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        delegations.revoke(current_user, delegation_id)
        db.session.commit()
    except NotFound:  # none, or another bureau's
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        flash(translate(exc), "warning")
    else:
        flash(_("代理已撤销。"), "success")
    return redirect(url_for("takeover.delegation_list"))
