"""Sign in, sign out, own password."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

from app.access import public, signed_in
from app.auth import services, tokens
from app.auth.forms import ChangePasswordForm, ConfirmForm, LoginForm
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.web_helpers import client_ip, show_domain_error, translate

bp = Blueprint("auth", __name__)


class AnonymousUser(AnonymousUserMixin):
    """A visitor who has not signed in: holds no roles."""

    role_set: frozenset[Any] = frozenset()


def configure_login_manager(manager: LoginManager) -> None:
    """Session loading and the login page for 401s."""
    manager.login_view = "auth.login"
    manager.login_message = _l("请先登录。")
    manager.login_message_category = "warning"
    manager.session_protection = "strong"
    manager.anonymous_user = AnonymousUser
    manager.user_loader(_load_user)


SESSION_VERSION_KEY = "_sv"
KNOWN_CLIENT_COOKIE = "known_client"


def _load_user(user_id: str) -> Any:
    return services.load_session_user(user_id, session.get(SESSION_VERSION_KEY))


def _known_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-client")


def _known_user_ids() -> list[int]:
    """Accounts that signed in from this browser before (a signed cookie)."""
    raw = request.cookies.get(KNOWN_CLIENT_COOKIE)
    if not raw:
        return []
    try:
        ids = _known_serializer().loads(raw)
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _policy() -> services.LoginPolicy:
    cfg = current_app.config
    return services.LoginPolicy(cfg["LOGIN_SLOWDOWN_AFTER"], cfg["LOGIN_SLOWDOWN_SECONDS"],
                                cfg["LOGIN_LOCK_AFTER"], cfg["LOGIN_LOCK_MINUTES"], cfg["LOGIN_CLIENT_LIMIT"])


def _safe_next(target: str | None) -> str:
    """Only a same-site path: no scheme, no host, no backslash, no control or invisible character."""
    home = url_for("home.index")
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return home
    if "\\" in target or any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in target) or " " in target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return home
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """The sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data or "", form.password.data or "", _policy(),
                                         ip=client_ip(), known_user_ids=_known_user_ids())
        except services.LoginRefused as exc:
            db.session.commit()  # failed attempts and lock state are recorded even though sign-in fails
            flash(translate(exc), "danger")
            status = 401
        else:
            db.session.commit()
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            login_user(user)
            session[SESSION_VERSION_KEY] = user.session_version
            response = redirect(_safe_next(request.args.get("next")))
            known_ids = [user.id] + [i for i in _known_user_ids() if i != user.id][:4]
            response.set_cookie(KNOWN_CLIENT_COOKIE, _known_serializer().dumps(known_ids), max_age=180 * 86400,
                                httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")
            return response
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Any:
    """Sign out (POST with CSRF token, so no link can sign someone out)."""
    services.record_logout(current_user)
    services.end_sessions(current_user)  # a copy of this session's cookie stops working too
    db.session.commit()
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@signed_in
def api_tokens() -> Any:
    """The user's personal API tokens: create (shown once) and revoke."""
    new_token = None
    if request.method == "POST":
        revoke = request.form.get("revoke", type=int)
        try:
            if revoke:
                tokens.revoke_token(current_user, revoke)
                flash(_("令牌已吊销。"), "success")
            else:
                new_token, _record = tokens.create_token(current_user, request.form.get("name", ""))
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc) if not isinstance(exc, ValidationFailed) else _("请填写 1–100 个字符的名称。"),
                  "danger")
        else:
            db.session.commit()
    return render_template("auth/tokens.html", tokens=tokens.list_tokens(current_user), new_token=new_token,
                           form=ConfirmForm())


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Any:
    """The signed-in user changes their own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current_password.data or "", form.new_password.data or "")
        except ValidationFailed as exc:
            db.session.rollback()
            show_domain_error(exc, form)
            return render_template("auth/change_password.html", form=form), 400
        db.session.commit()
        session[SESSION_VERSION_KEY] = current_user.session_version  # this session goes on; all others end
        flash(_("密码已修改。"), "success")
        return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form), 400 if request.method == "POST" else 200
