"""Users are identities (loaded before a request's scope exists), not a mixin-scoped table: lists of users are
limited to the readable bureaus here, explicitly (see docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from app.auth.models import User
from app.bureaus.context import current


def users_in_scope(statement: Any) -> Any:
    """Limit a SELECT of users to the readable bureaus."""
    visible = current().visible
    return statement if visible is None else statement.where(User.bureau_id.in_(sorted(visible)))
