"""The one scoping mechanism: every ORM query of a `BureauOwned` model is filtered to the visible bureaus,
and every flush checks that new, changed or deleted bureau-owned rows belong to the bureau being written.

Installed once on SQLAlchemy's `Session` class, so it applies to every session (requests, CLI, worker, tests).
Statements executed as plain SQL text or on a bare connection bypass it: they are listed in docs/architecture.md
and each adds its own `bureau_id` condition.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, false
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from app.bureaus.context import current
from app.bureaus.models import BureauOwned
from app.errors import N_, PermissionDenied

UNSCOPED = "bureau_unscoped"  # execution option for reviewed system reads (e.g. the audit chain walk)

_installed = False


def _filter_queries(state: ORMExecuteState) -> None:
    if state.is_column_load or state.execution_options.get(UNSCOPED):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = current()
    if scope.visible is None:
        return
    visible = tuple(sorted(scope.visible))
    if visible:
        criteria = with_loader_criteria(BureauOwned, lambda cls: cls.bureau_id.in_(visible), include_aliases=True)
    else:
        criteria = with_loader_criteria(BureauOwned, lambda cls: false(), include_aliases=True)
    state.statement = state.statement.options(criteria)


def _check_writes(session: Session, _context: Any, _instances: Any) -> None:
    scope = current()
    for obj in session.new:
        if isinstance(obj, BureauOwned) and obj.bureau_id is None:
            if scope.bureau_id is None:
                raise PermissionDenied(N_("当前为只读范围，不能在此保存数据。"))
            obj.bureau_id = scope.bureau_id
    if scope.is_system:
        return
    changed = [o for o in session.new] + [o for o in session.dirty if session.is_modified(o)] + list(session.deleted)
    for obj in changed:
        if isinstance(obj, BureauOwned) and obj.bureau_id != scope.bureau_id:
            raise PermissionDenied(N_("只能修改本局的数据；上级局查看下级局的数据是只读的。"))


def forget_unreadable(session: Session) -> int:
    """Drop unchanged bureau-owned rows the current scope may not read from the session's identity map.

    `Session.get` answers from the identity map without SQL (so without the criteria above); the web layer calls
    this when a request's scope is set, so no row loaded under another scope is handed out by id.
    """
    visible = current().visible
    if visible is None:
        return 0
    stale = [obj for obj in list(session.identity_map.values())
             if isinstance(obj, BureauOwned) and obj.bureau_id not in visible and not session.is_modified(obj)]
    for obj in stale:
        session.expunge(obj)
    return len(stale)


def install() -> None:
    """Register the two session events (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "do_orm_execute", _filter_queries)
    event.listen(Session, "before_flush", _check_writes)
    _installed = True
