"""Signing in: argon2 hashes, slowdown, lockout, deactivated accounts, session cookie flags."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import services
from app.auth.models import User
from app.auth.roles import Role
from app.clock import set_clock, utcnow
from app.extensions import db
from tests.conftest import user_for


def _login(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.fixture
def frozen_clock():
    now = [utcnow()]
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def test_passwords_are_argon2id_hashes():
    user = user_for(Role.LEGAL)
    assert user.password_hash.startswith("$argon2id$")


def test_demo_user_signs_in_and_sees_home(client):
    response = _login(client, "demo.legal", "demo-legal-2026")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "李法制（演示）" in page
    assert "login.succeeded" in _actions()


def test_wrong_password_is_refused_and_audited(client):
    response = _login(client, "demo.legal", "wrong-password-1")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert _actions()[-1] == "login.failed"
    assert user_for(Role.LEGAL).failed_logins == 1


def test_unknown_user_gets_the_same_message(client):
    response = _login(client, "nobody", "whatever-123")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_ten_wrong_passwords_lock_the_account_and_say_so(client, frozen_clock):
    for _ in range(9):
        _login(client, "demo.inspector", "bad-password-1")
    response = _login(client, "demo.inspector", "bad-password-1")
    assert "账户已被锁定 15 分钟" in response.get_data(as_text=True)
    user = user_for(Role.INSPECTOR)
    assert user.locked_until is not None
    # even the right password is refused while locked
    response = _login(client, "demo.inspector", "demo-inspector-2026")
    assert response.status_code == 401
    assert "临时锁定" in response.get_data(as_text=True)
    assert "user.locked" in _actions()
    # after the lock expires the right password works again
    frozen_clock[0] += timedelta(minutes=16)
    assert _login(client, "demo.inspector", "demo-inspector-2026").status_code == 302


def test_slowdown_refuses_fast_retries_without_checking_the_password(app, frozen_clock):
    policy = services.LoginPolicy(slowdown_after=3, slowdown_seconds=2, lock_after=10, lock_minutes=15)
    for _ in range(3):
        with pytest.raises(services.LoginRefused):
            services.authenticate("demo.expert", "bad-password-1", policy)
    with pytest.raises(services.LoginRefused, match="2 秒后再试|秒后再试"):
        services.authenticate("demo.expert", "demo-expert-2026", policy)
    assert user_for(Role.EXPERT).failed_logins == 3  # the refused try was not counted
    frozen_clock[0] += timedelta(seconds=3)
    assert services.authenticate("demo.expert", "demo-expert-2026", policy).username == "demo.expert"


def test_deactivated_user_cannot_sign_in_and_loses_session(client, as_role):
    signed_in_auditor = as_role(Role.AUDITOR)
    assert signed_in_auditor.get("/audit/").status_code == 200
    services.set_active(user_for(Role.ADMIN), user_for(Role.AUDITOR), False)
    db.session.commit()
    assert signed_in_auditor.get("/audit/").status_code == 302  # session no longer loads the user
    response = _login(client, "demo.auditor", "demo-auditor-2026")
    assert "已停用" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_secure_and_samesite(app):
    secure_app_config = dict(app.config)
    assert secure_app_config["SESSION_COOKIE_HTTPONLY"] is True
    assert secure_app_config["SESSION_COOKIE_SAMESITE"] == "Lax"
    client = app.test_client()
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = _login(client, "demo.leader", "demo-leader-2026")
        cookie = response.headers.get("Set-Cookie", "")
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_open_redirect_is_refused(client):
    response = client.post("/login?next=//evil.example/x", data={"username": "demo.leader",
                                                                   "password": "demo-leader-2026"})
    assert response.headers["Location"] == "/"


def test_logout_is_audited(as_role):
    client = as_role(Role.LEADER)
    assert client.post("/logout").status_code == 302
    assert _actions()[-1] == "logout"
    assert client.get("/audit/").status_code == 302


def test_change_own_password_checks_current_and_policy(as_role):
    client = as_role(Role.EXPERT)
    bad = client.post("/account/password", data={"current_password": "nope", "new_password": "abcdefghij1",
                                                 "confirm": "abcdefghij1"})
    assert bad.status_code == 400 and "当前密码不正确" in bad.get_data(as_text=True)
    weak = client.post("/account/password", data={"current_password": "demo-expert-2026", "new_password": "short1",
                                                  "confirm": "short1"})
    assert weak.status_code == 400 and "至少需要 10 个字符" in weak.get_data(as_text=True)
    ok = client.post("/account/password", data={"current_password": "demo-expert-2026",
                                                "new_password": "brand-new-pass-9", "confirm": "brand-new-pass-9"})
    assert ok.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "demo.expert"))
    from app.auth.passwords import verify_password
    assert verify_password(user.password_hash, "brand-new-pass-9")
