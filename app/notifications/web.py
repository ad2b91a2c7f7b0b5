"""The bell (unread count on every page), the notification list, and each person's notification settings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import signed_in
from app.auth.forms import ConfirmForm
from app.errors import N_, ValidationFailed
from app.extensions import db
from app.notifications.services import preferences
from app.web_helpers import translate

bp = Blueprint("notifications", __name__)


def init_app(app: Flask) -> None:
    """Give every page the signed-in person's unread count for the bell."""

    @app.context_processor
    def _bell() -> dict[str, Any]:
        def unread() -> int:  # the page shows the bell twice (wide and narrow screens): count once per request
            if not current_user.is_authenticated:
                return 0
            if "unread_notifications" not in g:
                g.unread_notifications = preferences.unread_count(current_user.id)
            return int(g.unread_notifications)
        return {"unread_notifications": unread}


@bp.route("/notifications")
@signed_in
def index() -> Any:
    """The person's notifications, newest first; unread ones stand out."""
    rows = preferences.latest(current_user.id)
    items = [(row, preferences.title(row, _)) for row in rows]
    return render_template("notifications/index.html", items=items, form=ConfirmForm())


@bp.route("/notifications/<int:notification_id>/open")
@signed_in
def open_one(notification_id: int) -> Any:
    """Mark it read and go where it points."""
    row = preferences.mark_read(current_user.id, notification_id)
    if row is None:
        abort(404)
    db.session.commit()
    return redirect(row.link if row.link.startswith("/") and not row.link.startswith("//") else "/")


@bp.route("/notifications/read-all", methods=["POST"])
@signed_in
def read_all() -> Any:
    """Mark every notification read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    preferences.mark_read(current_user.id)
    db.session.commit()
    flash(_("已全部标为已读。"), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@signed_in
def settings() -> Any:
    """The person's e-mail address, phone and, per kind, the channels (bell, e-mail, SMS)."""
    form = ConfirmForm()
    row = preferences.settings_for(current_user.id)
    errors: dict[str, list[str]] = {}
    status = 200
    values = {"email": row.email if row else "", "phone": row.phone if row else "",
              "channels": {kind: preferences.channels_for(row, kind) for kind in preferences.KINDS}}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = {"email": request.form.get("email", ""), "phone": request.form.get("phone", ""),
                  "channels": {kind: request.form.getlist(f"ch.{kind}") for kind in preferences.KINDS}}
        try:
            preferences.save(current_user, values["email"], values["phone"], values["channels"])
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            errors = {k: [_(m) for m in v] for k, v in exc.errors.items()}
            flash(translate(exc), "danger")
            status = 400
        else:
            flash(_("通知设置已保存。"), "success")
            return redirect(url_for("notifications.settings"))
    labels = {kind: _(KIND_LABELS[kind]) for kind in preferences.KINDS}
    return render_template("notifications/settings.html", form=form, values=values, errors=errors, labels=labels,
                           sms_available=bool(current_app.config["SMS_HOOK"]),
                           email_available=bool(current_app.config["SMTP_HOST"])), status


KIND_LABELS = {
    "new_task": N_("新任务"),
    "due_soon": N_("任务 1 个工作日内到期"),
    "overdue": N_("任务逾期"),
    "returned": N_("任务被退回修改"),
    "reassigned": N_("任务转派给我"),
    "review_requested": N_("法制审核请求"),
    "draw_witness": N_("随机抽取等待见证"),
}
