"""The one source of "now", so tests and the timer worker can move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Current UTC time as a naive datetime (how every timestamp is stored)."""
    if _now is not None:
        return _now()
    return datetime.now(UTC).replace(tzinfo=None)


def set_clock(now: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests, simulations); None restores the real one."""
    global _now
    _now = now
