"""The one scoping mechanism: every ORM query of a `BureauOwned` model is filtered to the visible bureaus,
and every flush checks that new, changed or deleted bureau-owned rows belong to the bureau being written.

Installed once on SQLAlchemy's `Session` class, so it applies to every session (requests, CLI, worker, tests).
Statements executed as plain SQL text or on a bare connection bypass it: they are listed in docs/architecture.md
and each adds its own `bureau_id` condition.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, false, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from app.bureaus.context import current
from app.bureaus.models import Bureau, BureauOwned
from app.errors import N_, PermissionDenied
from app.workflow.models import ProcessDefinition

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
    # Process versions are shared downward: the standard ones, the higher bureaus' and the readable bureaus' own.
    shared = tuple(sorted(set(visible) | set(_ancestors(state.session, scope.bureau_id))))
    versions = with_loader_criteria(ProcessDefinition, lambda cls: or_(cls.bureau_id.is_(None),
                                                                       cls.bureau_id.in_(shared)),
                                    include_aliases=True)
    state.statement = state.statement.options(criteria, versions)


_TREE_TTL_SECONDS = 60.0
_tree_cache: dict[str, tuple[float, dict[int, int | None]]] = {}  # database URL -> (loaded at, id -> parent id)


def _parents(session: Session, bureau_id: int) -> dict[int, int | None]:
    """The bureau tree (id -> parent id), cached per process and database.

    The tree changes rarely: a flush touching a `Bureau` clears the cache at once in this process; other processes
    (gunicorn workers) reload it within a minute, and at once when they meet a bureau they do not know yet.
    """
    key = str(session.get_bind().engine.url)
    cached = _tree_cache.get(key)
    now = time.monotonic()
    if cached is None or now - cached[0] > _TREE_TTL_SECONDS or bureau_id not in cached[1]:
        rows = session.execute(select(Bureau.id, Bureau.parent_id).execution_options(**{UNSCOPED: True}))
        cached = (now, {row[0]: row[1] for row in rows})
        _tree_cache[key] = cached
    return cached[1]


def _ancestors(session: Session, bureau_id: int | None) -> tuple[int, ...]:
    """The bureau and those above it."""
    if bureau_id is None:
        return ()
    parents = _parents(session, bureau_id)
    chain: list[int] = []
    node: int | None = bureau_id
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return tuple(chain)


def _forget_tree_on_change(session: Session, _context: Any, _instances: Any) -> None:
    """A flush that adds, moves or removes a bureau makes every cached tree stale (also if later rolled back)."""
    if any(isinstance(o, Bureau) for o in [*session.new, *session.dirty, *session.deleted]):
        _tree_cache.clear()
        session.info["bureau_tree_changed"] = True


def _forget_tree_after_transaction(session: Session, *_args: Any) -> None:
    if session.info.pop("bureau_tree_changed", False):
        _tree_cache.clear()


def _check_writes(session: Session, _context: Any, _instances: Any) -> None:
    scope = current()
    for obj in session.new:
        if isinstance(obj, BureauOwned) and obj.bureau_id is None:
            if scope.bureau_id is None:
                raise PermissionDenied(N_("当前为只读范围，不能在此保存数据。"))
            obj.bureau_id = scope.bureau_id
    if scope.is_system and scope.writable:
        return
    if not scope.writable:
        if any(isinstance(o, BureauOwned) for o in [*session.new, *session.dirty, *session.deleted]):
            raise PermissionDenied(N_("当前为只读范围，不能在此保存数据。"))
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
    event.listen(Session, "before_flush", _forget_tree_on_change)
    event.listen(Session, "after_commit", _forget_tree_after_transaction)
    event.listen(Session, "after_soft_rollback", _forget_tree_after_transaction)
    _installed = True
