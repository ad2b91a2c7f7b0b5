"""Administrators create users, assign roles, reset passwords and deactivate — all audited."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.passwords import verify_password
from app.auth.roles import Role
from app.extensions import db
from tests.conftest import user_for


def _last_event():
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def test_admin_creates_user_with_roles(as_role):
    client = as_role(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        "username": "Wang.Wu", "full_name": "王五", "password": "good-password-1",
        "roles": ["inspector", "legal"], "legal_qualified": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "wang.wu"))
    assert user.role_set == {Role.INSPECTOR, Role.LEGAL}
    assert user.legal_qualified
    event = _last_event()
    assert event.action == "user.created" and event.actor_id == user_for(Role.ADMIN).id
    assert "password" not in str(event.details)


def test_bad_new_user_shows_field_errors_and_writes_nothing(as_role):
    client = as_role(Role.ADMIN)
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    response = client.post("/admin/users/new", data={
        "username": "demo.legal", "full_name": "x", "password": "short", "roles": []})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "该用户名已被使用" in page and "至少需要 10 个字符" in page and "至少选择一个角色" in page
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before


def test_role_change_is_audited_with_old_and_new(as_role):
    client = as_role(Role.ADMIN)
    target = user_for(Role.EXPERT)
    response = client.post(f"/admin/users/{target.id}", data={
        "full_name": target.full_name, "roles": ["expert", "inspector"]})
    assert response.status_code == 302
    event = _last_event()
    assert event.action == "user.updated"
    assert event.details["changes"]["roles"] == {"old": ["expert"], "new": ["expert", "inspector"]}


def test_reset_password_clears_lock(as_role):
    from datetime import timedelta

    from app.clock import utcnow

    target = user_for(Role.INSPECTOR)
    target.locked_until = utcnow() + timedelta(minutes=10)
    target_id = target.id
    db.session.commit()
    client = as_role(Role.ADMIN)
    response = client.post(f"/admin/users/{target_id}/password", data={"new_password": "reset-pass-2026"})
    assert response.status_code == 302
    target = user_for(Role.INSPECTOR)
    assert target.locked_until is None and verify_password(target.password_hash, "reset-pass-2026")
    assert _last_event().action == "user.password_reset"


def test_deactivate_keeps_the_user(as_role):
    client = as_role(Role.ADMIN)
    target = user_for(Role.LEADER)
    client.post(f"/admin/users/{target.id}/active", data={"active": "0"})
    assert user_for(Role.LEADER).active is False
    assert _last_event().action == "user.deactivated"
    client.post(f"/admin/users/{target.id}/active", data={"active": "1"})
    assert user_for(Role.LEADER).active is True


def test_admin_cannot_lock_everyone_out(as_role):
    client = as_role(Role.ADMIN)
    admin = user_for(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "不能停用自己的账户" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}", data={"full_name": "x", "roles": ["auditor"]})
    assert "最后一位系统管理员" in response.get_data(as_text=True)
    admin = user_for(Role.ADMIN)
    assert admin.active and Role.ADMIN in admin.role_set


def test_unknown_user_is_404(as_role):
    assert as_role(Role.ADMIN).get("/admin/users/999999").status_code == 404
