"""Issue 17 sign-in hardening: a strict same-site `next`, revocable sessions, a per-client limit,
lock-out by a third party made harmless, and failure counting that holds under parallel tries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import services
from app.auth.roles import Role
from app.clock import set_clock, utcnow
from app.extensions import db
from tests.conftest import sign_in, user_for


@pytest.fixture
def frozen_clock():
    now = [utcnow()]
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def _login(client, username, password, next_=None, ip="127.0.0.1"):
    url = "/login" if next_ is None else f"/login?next={next_}"
    return client.post(url, data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip})


@pytest.mark.parametrize("target", ["/%09/evil.example/phish", "/%0A/x", "//x", "/%5Cevil.example", "/%5C/evil",
                                    "%2F%2Fevil.example", "https://evil.example/", "/%E3%80%80/x", "/%0D%0ALocation:x",
                                    "/%00/x", "///evil.example"])
def test_next_only_leads_to_a_path_of_this_site(client, target):
    response = _login(client, "demo.leader", "demo-leader-2026", target)
    if "%00" in target:  # refused before sign-in is even tried (security.check_input)
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_keeps_a_real_path(client):
    response = _login(client, "demo.leader", "demo-leader-2026", "/audit/%3Fpage%3D2")
    assert response.headers["Location"] == "/audit/?page=2"


def _copy_session(source, target):
    target.set_cookie("session", source.get_cookie("session").value)
    return target


def test_a_cookie_captured_before_logout_stops_working(app, client):
    assert _login(client, "demo.auditor", "demo-auditor-2026").status_code == 302
    thief = _copy_session(client, app.test_client())
    assert thief.get("/audit/").status_code == 200
    client.post("/logout")
    assert thief.get("/audit/").status_code == 302


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, client):
    assert _login(client, "demo.expert", "demo-expert-2026").status_code == 302
    other = app.test_client()
    assert _login(other, "demo.expert", "demo-expert-2026").status_code == 302
    response = client.post("/account/password", data={
        "current_password": "demo-expert-2026", "new_password": "brand-new-pass-9", "confirm": "brand-new-pass-9"})
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200
    assert other.get("/account/password").status_code == 302


def test_admin_signs_a_user_out_everywhere(app, as_role):
    victim = sign_in(app.test_client(), user_for(Role.AUDITOR))
    assert victim.get("/audit/").status_code == 200
    admin = as_role(Role.ADMIN)
    page = admin.get(f"/admin/users/{user_for(Role.AUDITOR).id}").get_data(as_text=True)
    assert "在所有设备上退出登录" in page
    response = admin.post(f"/admin/users/{user_for(Role.AUDITOR).id}/sessions", follow_redirects=True)
    assert "所有登录会话已结束" in response.get_data(as_text=True)
    assert victim.get("/audit/").status_code == 302
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert last.action == "user.sessions_ended"


def test_deactivation_and_admin_reset_end_sessions(app, as_role):
    victim = sign_in(app.test_client(), user_for(Role.EXPERT))
    services.reset_password(user_for(Role.ADMIN), user_for(Role.EXPERT), "another-pass-2026")
    db.session.commit()
    assert victim.get("/account/password").status_code == 302


def test_one_client_trying_many_accounts_is_slowed_down(app, frozen_clock):
    policy = services.LoginPolicy(slowdown_after=3, slowdown_seconds=2, lock_after=10, lock_minutes=15,
                                  client_limit=4)
    names = ["demo.expert", "demo.leader", "demo.legal", "nobody.here"]
    for name in names:
        with pytest.raises(services.LoginRefused, match="用户名或密码错误"):
            services.authenticate(name, "bad-password-1", policy, ip="203.0.113.9")
    with pytest.raises(services.LoginRefused, match="网络地址"):  # even the right password is not checked
        services.authenticate("demo.inspector", "demo-inspector-2026", policy, ip="203.0.113.9")
    assert services.authenticate("demo.inspector", "demo-inspector-2026", policy, ip="198.51.100.7")
    frozen_clock[0] += timedelta(seconds=2)
    assert services.authenticate("demo.inspector", "demo-inspector-2026", policy, ip="203.0.113.9")
    frozen_clock[0] += timedelta(minutes=16)  # the window ends: back to normal
    with pytest.raises(services.LoginRefused, match="用户名或密码错误"):
        services.authenticate("demo.expert", "bad-password-1", policy, ip="203.0.113.9")


def test_a_third_party_cannot_lock_the_owner_out(app, client, frozen_clock):
    owner = client
    assert _login(owner, "demo.inspector", "demo-inspector-2026").status_code == 302
    owner.post("/logout")
    attacker = app.test_client()
    for _ in range(10):
        _login(attacker, "demo.inspector", "bad-password-1", ip="192.0.2.66")
    assert user_for(Role.INSPECTOR).locked_until is not None
    refused = _login(attacker, "demo.inspector", "demo-inspector-2026", ip="192.0.2.66")
    assert refused.status_code == 401 and "临时锁定" in refused.get_data(as_text=True)
    # the owner's browser signed in to this account before: the lock does not hold it back
    assert _login(owner, "demo.inspector", "demo-inspector-2026").status_code == 302
