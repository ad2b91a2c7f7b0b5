"""Personal API tokens: shown once, stored as SHA-256, revocable, audited."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import ApiToken, User
from app.clock import utcnow
from app.errors import N_, NotFound, ValidationFailed
from app.extensions import db

PREFIX = "aet_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[str, ApiToken]:
    """A new token for this user; the plain token is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": [N_("请填写 1–100 个字符的名称。")]})
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name, token_hash=_digest(token))
    db.session.add(record)
    db.session.flush()
    record_event("api_token.created", actor=user, object_type="api_token", object_id=record.id, details={"name": name})
    return token, record


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens."""
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        raise NotFound(N_("令牌不存在。"))
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        record_event("api_token.revoked", actor=user, object_type="api_token", object_id=record.id)


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def user_for_token(token: str) -> User | None:
    """The active user owning this unrevoked token (and note its use), else None."""
    if not token.startswith(PREFIX):
        return None
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if record is None or record.revoked_at is not None:
        return None
    user = db.session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    record.last_used_at = utcnow()
    return user
