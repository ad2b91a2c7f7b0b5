"""Who may open which route: one rule per view, checked on the server for every request.

Every view is decorated with exactly one of `public`, `signed_in` or `roles(...)`.
`enforce_access` runs before every request and refuses (fails closed) a view without a rule,
so a new route that forgets its rule is never reachable — and the route-matrix test fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.roles import Role

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
SIGNED_IN = "signed_in"

ROLE_LABELS = {
    Role.SUPERVISION: _l("监督指导科"),
    Role.LEGAL: _l("法制科"),
    Role.INSPECTOR: _l("执法检查人员"),
    Role.EXPERT: _l("专家"),
    Role.DISCIPLINE: _l("纪检员"),
    Role.LEADER: _l("局领导"),
    Role.AUDITOR: _l("监督审计"),
    Role.ADMIN: _l("系统管理员"),
}


def _mark(rule: str | frozenset[Role]) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view
    return decorate


def public(view: F) -> F:
    """Anyone, signed in or not."""
    return _mark(PUBLIC)(view)


def signed_in(view: F) -> F:
    """Any signed-in user."""
    return _mark(SIGNED_IN)(view)


def roles(*allowed: Role) -> Callable[[F], F]:
    """Signed-in users holding at least one of these roles."""
    if not allowed:
        raise ValueError("roles() needs at least one role")
    return _mark(frozenset(allowed))


def rule_for(endpoint: str | None) -> str | frozenset[Role] | None:
    """The access rule of an endpoint, or None when it has none."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    rule = getattr(view, "access_rule", None)
    if rule is None:  # class-based views (the API) declare the rule on the class
        rule = getattr(getattr(view, "view_class", None), "access_rule", None)
    return rule


def may_access(user: Any, rule: str | frozenset[Role] | None) -> bool:
    """Whether this user passes this rule (anonymous users pass only `public`)."""
    if rule == PUBLIC:
        return True
    if rule is None or not user.is_authenticated:
        return False
    if rule == SIGNED_IN:
        return True
    return bool(user.role_set & rule)


def can_open(endpoint: str) -> bool:
    """For templates: may the current user open this endpoint (used to build the navigation)."""
    return may_access(current_user, rule_for(endpoint))


def enforce_access() -> Any:
    """before_request hook: 401 → login page for anonymous users, 403 for the wrong role, 404 for no route."""
    if request.endpoint is None:
        return None  # Flask answers 404 itself
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("route %s has no access rule: refused", request.endpoint)
        abort(403)
    if may_access(current_user, rule):
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    abort(403)


def role_choices() -> list[tuple[str, Any]]:
    """(code, label) pairs for forms."""
    return [(role.value, ROLE_LABELS[role]) for role in Role]
