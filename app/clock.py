"""The one source of "now", so tests and the timer worker can move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_now: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Current UTC time as a naive datetime (how every timestamp is stored)."""
    if _now is not None:
        return _now()
    return datetime.now(UTC).replace(tzinfo=None)


BUSINESS_TIMEZONE: ZoneInfo = ZoneInfo("Asia/Shanghai")


def set_business_timezone(name: str) -> None:
    """The timezone whose calendar days count as working days (set once from configuration)."""
    global BUSINESS_TIMEZONE
    BUSINESS_TIMEZONE = ZoneInfo(name)


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) time as naive business-local time."""
    return moment.replace(tzinfo=UTC).astimezone(BUSINESS_TIMEZONE).replace(tzinfo=None)


def to_utc(moment: datetime) -> datetime:
    """A naive business-local time as naive UTC (how times are stored)."""
    return moment.replace(tzinfo=BUSINESS_TIMEZONE).astimezone(UTC).replace(tzinfo=None)


def local_today() -> date:
    """Today's date where the bureau is (not in UTC: 00:00–08:00 in Beijing is still yesterday in UTC)."""
    return to_local(utcnow()).date()


def set_clock(now: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests, simulations); None restores the real one."""
    global _now
    _now = now
