"""The legal section's disclosure pages: the dashboard (due, overdue, pending, late), reviewing and publishing a
draft, withdrawing, registering a changed or revoked decision, writing a plan, and the bureau's periods."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.roles import Role
from app.clock import local_today
from app.disclosure.services import dashboard, drafts, publishing, settings
from app.disclosure.services.kinds import DECISIONS, KIND_LABELS, MANUAL, STATUS_LABELS
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.web_helpers import translate

bp = Blueprint("disclosure", __name__, url_prefix="/disclosure")
READERS = (Role.LEGAL, Role.LEADER, Role.AUDITOR, Role.ADMIN)


def _field_errors(exc: DomainError) -> dict[str, list[str]]:
    """Field messages in the reader's language (messages with parameters carry their msgid)."""
    flash(translate(exc), "danger")
    if not isinstance(exc, ValidationFailed):
        return {}
    out: dict[str, list[str]] = {}
    for name, messages in exc.errors.items():
        texts = []
        for m in messages:
            if hasattr(m, "msgid"):
                params = {k: _(v) if k == "label" else v for k, v in m.params.items()}
                texts.append(_(m.msgid, **params))
            else:
                texts.append(_(m))
        out[name] = texts
    return out


def _item(item_id: int) -> Any:
    try:
        return publishing.get_item(item_id)
    except NotFound:
        abort(404)


def _labels() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "today": local_today()}


@bp.route("/")
@roles(*READERS)
def index() -> Any:
    """What is due, overdue and pending, what was published late, and the latest publications."""
    return render_template("disclosure/dashboard.html", board=dashboard.board(), **_labels())


def _show(item: Any, errors: dict[str, list[str]] | None = None, values: dict[str, str] | None = None,
          status: int = 200) -> Any:
    return render_template("disclosure/item.html", item=item, history=dashboard.history(item), errors=errors or {},
                           values=values or {"title": item.title, "body": item.body,
                                             "reason": item.withdraw_reason or ""},
                           decisions=DECISIONS, **_labels()), status


@bp.route("/items/<int:item_id>")
@roles(*READERS)
def item(item_id: int) -> Any:
    """One item: its text for review, its deadline, its history with hashes."""
    return _show(_item(item_id))


@bp.route("/items/<int:item_id>/publish", methods=["POST"])
@roles(Role.LEGAL)
def publish(item_id: int) -> Any:
    """Save the reviewed text, and publish it unless only saving was asked."""
    row = _item(item_id)
    values = {"title": request.form.get("title", ""), "body": request.form.get("body", ""), "reason": ""}
    try:
        if request.form.get("action") == "save":
            publishing.save_text(current_user, row, values["title"], values["body"])
            message = _("已保存。")
        else:
            publishing.publish(current_user, row, values["title"], values["body"])
            message = _("已发布到执法公示。")
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _show(_item(item_id), _field_errors(exc), values, 422)
    flash(message, "success")
    return redirect(url_for("disclosure.item", item_id=item_id))


@bp.route("/items/<int:item_id>/withdraw", methods=["POST"])
@roles(Role.LEGAL)
def withdraw(item_id: int) -> Any:
    """Withdraw a published item; the reason is published."""
    row = _item(item_id)
    reason = request.form.get("reason", "")
    try:
        publishing.withdraw(current_user, row, reason)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        row = _item(item_id)
        return _show(row, _field_errors(exc), {"title": row.title, "body": row.body, "reason": reason}, 422)
    flash(_("已撤回，撤回原因已公示。"), "success")
    return redirect(url_for("disclosure.item", item_id=item_id))


@bp.route("/items/<int:item_id>/revoke", methods=["POST"])
@roles(Role.LEGAL, Role.LEADER)
def revoke(item_id: int) -> Any:
    """Register that the item's decision was changed or revoked (audited on the case): the withdrawal is due."""
    row = _item(item_id)
    reason = request.form.get("revoke_reason", "")
    if row.case_id is None or row.kind not in DECISIONS:
        abort(404)
    try:
        publishing.revoke_decision(current_user, row.case_id, reason)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        row = _item(item_id)
        errors = _field_errors(exc)
        return _show(row, {"revoke_reason": errors.get("reason", [])},
                     {"title": row.title, "body": row.body, "revoke_reason": reason}, 422)
    flash(_("已登记决定变更或撤销，请在期限内撤回公示信息。"), "success")
    return redirect(url_for("disclosure.item", item_id=item_id))


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.LEGAL)
def create() -> Any:
    """A plan the legal section writes and publishes (年度抽查计划, 实施方案)."""
    values = {k: request.form.get(k, "") for k in ("kind", "year", "title", "body")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            row = drafts.create_manual(current_user, values["kind"], values["year"], values["title"], values["body"])
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            errors = _field_errors(exc)
        else:
            flash(_("草稿已建立，审核后发布。"), "success")
            return redirect(url_for("disclosure.item", item_id=row.id))
    else:
        values["year"] = str(local_today().year)
    return render_template("disclosure/new.html", values=values, errors=errors, kinds=MANUAL,
                           **_labels()), 422 if errors else 200


@bp.route("/settings", methods=["GET", "POST"])
@roles(Role.LEGAL, Role.ADMIN)
def periods() -> Any:
    """The bureau's disclosure deadlines (working days) and keeping periods (years)."""
    current = settings.periods()
    values = {p.name: str(getattr(current, p.name)) for p in settings.PERIODS}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {p.name: request.form.get(p.name, "") for p in settings.PERIODS}
        try:
            settings.update(current_user, values)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            errors = _field_errors(exc)
        else:
            flash(_("公示期限已保存。"), "success")
            return redirect(url_for("disclosure.periods"))
    return render_template("disclosure/settings.html", periods=settings.PERIODS, values=values,
                           errors=errors), 422 if errors else 200
