"""The current bureau context: which bureau new rows belong to and which bureaus' rows may be read.

Set per request by the web layer (the signed-in user's bureau; for the city's oversight roles on pages that
reach down, the bureau and its descendants, read-only) and per CLI command or worker job explicitly.
No context at all reads nothing and writes nothing: forgetting to set one fails closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from app.errors import N_, PermissionDenied


@dataclass(frozen=True)
class BureauScope:
    """`bureau_id`: where writes go (None: read-only). `visible`: readable bureaus (None: all, system jobs only)."""

    bureau_id: int | None
    visible: frozenset[int] | None
    writable: bool = True  # False: the public's scope — every bureau's published data, nothing written

    @property
    def is_system(self) -> bool:
        """A system job (migrations, the timer worker's claim, benchmarks) sees every bureau."""
        return self.visible is None


SYSTEM = BureauScope(bureau_id=None, visible=None)
NOTHING = BureauScope(bureau_id=None, visible=frozenset())
PUBLIC = BureauScope(bureau_id=None, visible=None, writable=False)  # anonymous visitors of public pages

_current: ContextVar[BureauScope] = ContextVar("bureau_scope", default=NOTHING)


def current() -> BureauScope:
    """The scope in force (NOTHING when no one set one)."""
    return _current.get()


def for_bureau(bureau_id: int, visible: frozenset[int] | None = None) -> BureauScope:
    """Work as this bureau: write there; read there (or the given set, e.g. its subtree)."""
    return BureauScope(bureau_id=bureau_id, visible=visible if visible is not None else frozenset({bureau_id}))


def widened(scope: BureauScope, extra: frozenset[int]) -> BureauScope:
    """The same scope (same writes) reading also the bureaus `extra`. Never used directly by a page: the audited
    steps in app.bureaus.services.tree (`widened_below`, `guest_scope`) are the only callers."""
    if scope.visible is None:
        return scope
    return BureauScope(bureau_id=scope.bureau_id, visible=scope.visible | extra, writable=scope.writable)


def write_bureau_id() -> int:
    """The bureau new rows belong to; PermissionDenied in a read-only or missing context."""
    bureau_id = current().bureau_id
    if bureau_id is None:
        raise PermissionDenied(N_("当前为只读范围，不能在此保存数据。"))
    return bureau_id


def set_scope(scope: BureauScope) -> Token[BureauScope]:
    """Set the scope for the rest of this request (pair with `reset`)."""
    return _current.set(scope)


def reset(token: Token[BureauScope]) -> None:
    """Restore the scope that was in force before `set_scope`."""
    _current.reset(token)


@contextmanager
def use(scope: BureauScope) -> Iterator[BureauScope]:
    """Run a block in this scope (CLI commands, worker jobs, an audited cross-bureau step)."""
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)
