"""Administrator pages: create users, assign roles, reset passwords, deactivate."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import ROLE_LABELS, role_choices, roles
from app.auth import services
from app.auth.forms import ConfirmForm, ResetPasswordForm, UserCreateForm, UserEditForm
from app.auth.roles import Role
from app.errors import DomainError, NotFound
from app.extensions import db
from app.web_helpers import show_domain_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> Any:
    try:
        return services.get_user(user_id)
    except NotFound:
        from flask import abort

        abort(404)


@bp.route("/users")
@roles(Role.ADMIN)
def users() -> Any:
    """All accounts with their roles and state."""
    return render_template("admin/users.html", users=services.list_users(), role_labels=ROLE_LABELS,
                           login_state=services.login_state)


@bp.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def create_user() -> Any:
    """A new account."""
    form = UserCreateForm()
    form.roles.choices = role_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, username=form.username.data or "",
                                        full_name=form.full_name.data or "", password=form.password.data or "",
                                        roles=form.roles.data or [], legal_qualified=bool(form.legal_qualified.data))
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(exc, form)
            return render_template("admin/user_form.html", form=form, user=None), 400
        db.session.commit()
        flash(_("已创建用户 %(name)s。", name=user.username), "success")
        return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_user(user_id: int) -> Any:
    """Name, roles, legal qualification; plus password reset and (de)activation."""
    user = _user_or_404(user_id)
    form = UserEditForm(obj=None if request.method == "POST" else user)
    form.roles.choices = role_choices()
    if request.method == "GET":
        form.roles.data = sorted(user.role_set)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, full_name=form.full_name.data or "",
                                 roles=form.roles.data or [], legal_qualified=bool(form.legal_qualified.data))
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(exc, form)
            return _edit_page(form, user), 400
        db.session.commit()
        flash(_("已保存。"), "success")
        return redirect(url_for("admin.users"))
    return _edit_page(form, user), 400 if request.method == "POST" else 200


def _edit_page(form: UserEditForm, user: Any) -> str:
    return render_template("admin/user_form.html", form=form, user=user, reset_form=ResetPasswordForm(),
                           confirm_form=ConfirmForm(), login_state=services.login_state(user))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles(Role.ADMIN)
def reset_password(user_id: int) -> Any:
    """Set a new password (also clears a lock)."""
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(current_user, user, form.new_password.data or "")
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(exc)
            return redirect(url_for("admin.edit_user", user_id=user.id))
        db.session.commit()
        flash(_("已为 %(name)s 重置密码。", name=user.username), "success")
    else:
        flash(_("请填写新密码。"), "danger")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles(Role.ADMIN)
def set_active(user_id: int) -> Any:
    """Deactivate or reactivate (users are never deleted)."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        make_active = request.form.get("active") == "1"
        try:
            services.set_active(current_user, user, make_active)
        except DomainError as exc:
            db.session.rollback()
            show_domain_error(exc)
            return redirect(url_for("admin.edit_user", user_id=user.id))
        db.session.commit()
        flash(_("账户已启用。") if make_active else _("账户已停用。"), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/sessions", methods=["POST"])
@roles(Role.ADMIN)
def end_sessions(user_id: int) -> Any:
    """Sign a user out everywhere (every session, on every device, ends now)."""
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        services.sign_out_everywhere(current_user, user)
        db.session.commit()
        flash(_("%(name)s 的所有登录会话已结束。", name=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
