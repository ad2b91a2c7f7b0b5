"""Signing in, and managing users and roles. Every change is audited in the caller's transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from app.audit.services import record_event
from app.auth.models import LoginClient, User, UserRole
from app.auth.passwords import check_policy, hash_password, needs_rehash, verify_password
from app.auth.roles import Role
from app.bureaus.context import current, write_bureau_id
from app.bureaus.services.tree import can_read
from app.clock import utcnow
from app.errors import N_, Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


@dataclass(frozen=True)
class LoginPolicy:
    """Slowdown and lockout after failed logins (from configuration)."""

    slowdown_after: int = 3
    slowdown_seconds: int = 2
    lock_after: int = 10
    lock_minutes: int = 15
    client_limit: int = 20

    def client_wait_after(self, failures: int) -> timedelta:
        """How long a client (address) must wait after `failures` failures in the window (≤ 60 s)."""
        if failures < self.client_limit:
            return timedelta(0)
        return timedelta(seconds=min(60, 2 ** (failures - self.client_limit)))

    def wait_after(self, failures: int) -> timedelta:
        """How long the next try must wait after `failures` failures in a row."""
        if failures < self.slowdown_after or self.slowdown_seconds == 0:
            return timedelta(0)
        return timedelta(seconds=min(60, self.slowdown_seconds * 2 ** (failures - self.slowdown_after)))


class LoginRefused(DomainError):
    """Wrong credentials, a locked or deactivated account, or too many tries too fast."""


def get_user(user_id: int) -> User:
    """The user or NotFound (also for users of bureaus outside the current scope)."""
    user = db.session.get(User, user_id)
    if user is None or not can_read(user.bureau_id):
        raise NotFound(N_("用户不存在。"))
    return user


def find_user(username: str) -> User | None:
    """Look a user up by username (case-insensitive)."""
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


CLIENT_WINDOW = timedelta(minutes=15)


def load_session_user(user_id: str, session_version: int | None) -> User | None:
    """The signed-in user for Flask-Login, or None when gone, deactivated or the session was revoked."""
    if not user_id.isdigit() or len(user_id) > 12:
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])  # one statement with roles
    if user is None or not user.active or (session_version or 0) != user.session_version:
        return None
    return user


def end_sessions(user: User) -> int:
    """End every session of this user at once (atomic increment); returns the new version."""
    version = db.session.execute(update(User).where(User.id == user.id)
                                 .values(session_version=User.session_version + 1)
                                 .returning(User.session_version)).scalar_one()
    db.session.expire(user, ["session_version"])
    return int(version)


def sign_out_everywhere(actor: User, user: User) -> None:
    """An administrator ends every session of a user (e.g. a lost laptop); audited."""
    end_sessions(user)
    record_event("user.sessions_ended", actor=actor, object_type="user", object_id=user.id,
                 details={"username": user.username})


def _client_refusal(ip: str | None, policy: LoginPolicy, now: datetime) -> LoginRefused | None:
    """A refusal when this address failed too often recently (checked before any password)."""
    if not ip:
        return None
    row = db.session.get(LoginClient, ip[:64], populate_existing=True)
    if row is None or row.last_failed_at < now - CLIENT_WINDOW:
        return None
    wait = policy.client_wait_after(row.failures)
    if wait and now < row.last_failed_at + wait:
        seconds = int((row.last_failed_at + wait - now).total_seconds()) + 1
        return LoginRefused(N_("来自您所在网络地址的登录失败次数过多，请 %(seconds)s 秒后再试。"), seconds=seconds)
    return None


def _count_client_failure(ip: str | None, now: datetime) -> None:
    """One more failure for this address, atomically (an upsert; the window restarts after 15 quiet minutes)."""
    if not ip:
        return
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = LoginClient.__table__
    stale = table.c.last_failed_at < now - CLIENT_WINDOW
    statement = insert(table).values(address=ip[:64], failures=1, last_failed_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.address],
        set_={"failures": case((stale, 1), else_=table.c.failures + 1), "last_failed_at": now})
    db.session.execute(statement)


def authenticate(username: str, password: str, policy: LoginPolicy, *, ip: str | None = None,
                 known_user_ids: list[int] | tuple[int, ...] = ()) -> User:
    """Check credentials, applying per-client and per-account slowdown and lockout; every outcome is audited.

    The account row is locked for the whole check, so parallel tries are counted one after another. A client
    that signed in to this account before (its id in `known_user_ids`) is not held back by the account's lock:
    a third party's wrong passwords slow down and lock only unknown clients, never the account's owner.
    """
    now = utcnow()
    refused = _client_refusal(ip, policy, now)
    if refused is not None:
        record_event("login.refused", actor=None, object_type="user",
                     details={"username": username[:64], "ip": ip, "reason": "client slowdown"})
        raise refused
    user = db.session.scalar(select(User).where(User.username == username.strip().lower())
                             .with_for_update().execution_options(populate_existing=True))
    if user is None:
        verify_password(None, password)
        _count_client_failure(ip, now)
        record_event("login.failed", actor=None, object_type="user", details={"username": username[:64], "ip": ip,
                                                                               "reason": "unknown user"})
        raise LoginRefused(N_("用户名或密码错误。"))
    if user.id in known_user_ids:
        return _authenticate_known(user, password, ip, now)

    if user.locked_until and user.locked_until > now:
        record_event("login.refused", actor=None, object_type="user", object_id=user.id,
                     details={"username": user.username, "ip": ip, "reason": "locked"})
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise LoginRefused(N_("该账户因多次登录失败已被临时锁定，请 %(minutes)s 分钟后再试。"), minutes=minutes)
    if user.locked_until and user.locked_until <= now:
        user.locked_until = None
        user.failed_logins = 0

    wait = policy.wait_after(user.failed_logins)
    if wait and user.last_failed_login_at and now < user.last_failed_login_at + wait:
        seconds = int((user.last_failed_login_at + wait - now).total_seconds()) + 1
        record_event("login.refused", actor=None, object_type="user", object_id=user.id,
                     details={"username": user.username, "ip": ip, "reason": "slowdown"})
        raise LoginRefused(N_("登录尝试过于频繁，请 %(seconds)s 秒后再试。"), seconds=seconds)

    if not verify_password(user.password_hash, password):
        _count_client_failure(ip, now)
        user.failed_logins += 1
        user.last_failed_login_at = now
        details: dict[str, Any] = {"username": user.username, "ip": ip, "failures": user.failed_logins}
        if user.failed_logins >= policy.lock_after:
            user.locked_until = now + timedelta(minutes=policy.lock_minutes)
            user.failed_logins = 0
            record_event("login.failed", actor=None, object_type="user", object_id=user.id, details=details)
            record_event("user.locked", actor=None, object_type="user", object_id=user.id,
                         details={"until": user.locked_until, "after_failures": policy.lock_after})
            raise LoginRefused(N_("密码连续错误 %(count)s 次，账户已被锁定 %(minutes)s 分钟。"),
                               count=policy.lock_after, minutes=policy.lock_minutes)
        record_event("login.failed", actor=None, object_type="user", object_id=user.id, details=details)
        left = policy.lock_after - user.failed_logins
        raise LoginRefused(N_("用户名或密码错误。再错 %(left)s 次账户将被临时锁定。"), left=left)

    if not user.active:
        record_event("login.refused", actor=None, object_type="user", object_id=user.id,
                     details={"username": user.username, "ip": ip, "reason": "deactivated"})
        raise LoginRefused(N_("该账户已停用，请联系系统管理员。"))

    return _succeeded(user, password, ip, now)


def _succeeded(user: User, password: str, ip: str | None, now: datetime, **details: Any) -> User:
    user.failed_logins = 0
    user.last_failed_login_at = None
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_event("login.succeeded", actor=user, object_type="user", object_id=user.id, details={"ip": ip, **details})
    return user


def _authenticate_known(user: User, password: str, ip: str | None, now: datetime) -> User:
    """A browser that signed in to this account before: only the per-client limit applies to it."""
    if not verify_password(user.password_hash, password):
        _count_client_failure(ip, now)
        record_event("login.failed", actor=None, object_type="user", object_id=user.id,
                     details={"username": user.username, "ip": ip, "known_client": True})
        raise LoginRefused(N_("用户名或密码错误。"))
    if not user.active:
        record_event("login.refused", actor=None, object_type="user", object_id=user.id,
                     details={"username": user.username, "ip": ip, "reason": "deactivated"})
        raise LoginRefused(N_("该账户已停用，请联系系统管理员。"))
    return _succeeded(user, password, ip, now, known_client=True)


def record_logout(user: User) -> None:
    """Audit a sign-out."""
    record_event("logout", actor=user, object_type="user", object_id=user.id)


def _clean_roles(roles: list[str]) -> list[Role]:
    try:
        cleaned = sorted({Role(r) for r in roles})
    except ValueError as exc:
        raise ValidationFailed({"roles": [N_("未知的角色。")]}) from exc
    if not cleaned:
        raise ValidationFailed({"roles": [N_("至少选择一个角色。")]})
    return cleaned


def _snapshot(user: User) -> dict[str, Any]:
    return {"full_name": user.full_name, "roles": sorted(user.role_set), "legal_qualified": user.legal_qualified,
            "active": user.active}


def create_user(actor: User | None, *, username: str, full_name: str, password: str, roles: list[str],
                legal_qualified: bool = False, bureau_id: int | None = None) -> User:
    """Create a user with roles in a bureau (default: the bureau being written); audited."""
    username = username.strip().lower()
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = [N_("用户名须为 3–64 位小写字母、数字或 . _ -，以字母或数字开头。")]
    elif find_user(username) is not None:
        errors["username"] = [N_("该用户名已被使用。")]
    if not full_name.strip():
        errors["full_name"] = [N_("请填写姓名。")]
    try:
        check_policy(password)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        cleaned = _clean_roles(roles)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if bureau_id is None:
        bureau_id = write_bureau_id()
    elif not can_read(bureau_id):
        errors["bureau_id"] = [N_("只能在本局及下级局中创建用户。")]
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, full_name=full_name.strip(), password_hash=hash_password(password),
                legal_qualified=legal_qualified, active=True, failed_logins=0, bureau_id=bureau_id)
    user.role_rows = [UserRole(role=r.value) for r in cleaned]
    db.session.add(user)
    db.session.flush()
    record_event("user.created", actor=actor, object_type="user", object_id=user.id,
                 details={"username": username, **_snapshot(user)})
    return user


def _count_active_admins(bureau_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserRole).join(User)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True), User.bureau_id == bureau_id)
    ) or 0


def update_user(actor: User, user: User, *, full_name: str, roles: list[str], legal_qualified: bool) -> None:
    """Change name, roles and legal qualification; audited with old → new."""
    if not full_name.strip():
        raise ValidationFailed({"full_name": [N_("请填写姓名。")]})
    cleaned = _clean_roles(roles)
    if Role.ADMIN in user.role_set and Role.ADMIN not in cleaned and _count_active_admins(user.bureau_id) <= 1:
        raise Conflict(N_("不能移除最后一位系统管理员的管理员角色。"))
    before = _snapshot(user)
    user.full_name = full_name.strip()
    user.legal_qualified = legal_qualified
    keep = {row.role: row for row in user.role_rows}
    user.role_rows = [keep.get(r.value) or UserRole(role=r.value) for r in cleaned]
    db.session.flush()
    after = _snapshot(user)
    changes = {k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]}
    if changes:
        record_event("user.updated", actor=actor, object_type="user", object_id=user.id, details={"changes": changes})


def reset_password(actor: User, user: User, new_password: str) -> None:
    """An administrator sets a new password and clears any lock; audited (never the password)."""
    check_policy(new_password)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)
    record_event("user.password_reset", actor=actor, object_type="user", object_id=user.id)


def change_own_password(user: User, current: str, new_password: str) -> None:
    """A user changes their own password after proving the current one."""
    if not verify_password(user.password_hash, current):
        raise ValidationFailed({"current_password": [N_("当前密码不正确。")]})
    check_policy(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    record_event("user.password_changed", actor=user, object_type="user", object_id=user.id)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate an account (never delete); audited."""
    if user.active == active:
        return
    if not active and user.id == actor.id:
        raise PermissionDenied(N_("不能停用自己的账户。"))
    if not active and Role.ADMIN in user.role_set and _count_active_admins(user.bureau_id) <= 1:
        raise Conflict(N_("不能停用最后一位系统管理员。"))
    user.active = active
    end_sessions(user)
    record_event("user.reactivated" if active else "user.deactivated", actor=actor, object_type="user",
                 object_id=user.id, details={"username": user.username})


def list_users() -> list[User]:
    """Every user of the bureaus in scope, by username (users are not a mixin-scoped table: filtered here)."""
    query = select(User).order_by(User.username)
    visible = current().visible
    if visible is not None:
        query = query.where(User.bureau_id.in_(sorted(visible)))
    return list(db.session.scalars(query).all())


def login_state(user: User, now: datetime | None = None) -> str:
    """'locked', 'inactive' or 'ok' for the admin list."""
    now = now or utcnow()
    if not user.active:
        return "inactive"
    if user.locked_until and user.locked_until > now:
        return "locked"
    return "ok"
