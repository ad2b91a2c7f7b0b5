"""Working-day arithmetic on the Chinese calendar (holidays and make-up workdays), on the bureau's local dates.

The chinese-calendar package knows the State Council's published years; administrators enter
overrides for years it does not cover (and for local changes). Outside both, Monday–Friday are
workdays. Which years count as covered (package or imported) is decided in one place: app/calendar/yearly.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.bureaus.context import current
from app.bureaus.services.tree import ancestor_ids
from app.calendar.models import CalendarOverride
from app.clock import to_local, to_utc
from app.errors import N_, ValidationFailed
from app.extensions import db

MAX_SPAN_DAYS = 3660


def _as_date(value: date | datetime) -> date:
    """A calendar day where the bureau is; datetimes are the app's naive UTC."""
    return to_local(value).date() if isinstance(value, datetime) else value


def package_covers(day: date) -> bool:
    """Whether the chinese-calendar package has this year's official holidays."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def bureau_overrides() -> dict[date, bool]:
    """Date → is-workday for the working bureau: its own overrides over its higher bureaus' (a city enters the
    State Council schedule once, its counties inherit it and add local changes). Read explicitly by bureau chain
    (outside the mixin's filter, which would hide the higher bureaus' rows)."""
    bureau_id = current().bureau_id
    query = select(CalendarOverride.bureau_id, CalendarOverride.day, CalendarOverride.is_workday)
    if bureau_id is None:
        rows = db.session.execute(query).all()  # read-only or system: what the scope may read
        return {row.day: row.is_workday for row in rows}
    chain = ancestor_ids(bureau_id)
    rows = db.session.execute(query.where(CalendarOverride.bureau_id.in_(chain))
                              .execution_options(bureau_unscoped=True)).all()
    result: dict[date, bool] = {}
    for row in sorted(rows, key=lambda r: -chain.index(r.bureau_id)):  # farthest first, own bureau last (wins)
        result[row.day] = row.is_workday
    return result



class WorkingDays:
    """Workday questions for one unit of work; overrides are read once per instance."""

    def __init__(self, overrides: dict[date, bool] | None = None) -> None:
        self._overrides = overrides

    @property
    def overrides(self) -> dict[date, bool]:
        """Date → is-workday, from the database on first use."""
        if self._overrides is None:
            self._overrides = bureau_overrides()
        return self._overrides

    def is_workday(self, value: date | datetime) -> bool:
        """Override first, then the official calendar, then Monday–Friday."""
        day = _as_date(value)
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add_working_days(self, start: date | datetime, days: int) -> Any:
        """The date `days` working days after `start` (same type as `start`; a datetime keeps its time)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = _as_date(start)
        counted = 0
        for _ in range(MAX_SPAN_DAYS):
            if counted >= days:
                break
            current += timedelta(days=1)
            if self.is_workday(current):
                counted += 1
        else:
            raise ValueError("working-day span too long")
        if isinstance(start, datetime):  # same local time of day, on the working day found, back in UTC
            return to_utc(datetime.combine(current, to_local(start).time()))
        return current

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days after `start` up to and including `end`."""
        first, last = _as_date(start), _as_date(end)
        if (last - first).days > MAX_SPAN_DAYS:
            raise ValueError("working-day span too long")
        count, current = 0, first
        while current < last:
            current += timedelta(days=1)
            if self.is_workday(current):
                count += 1
        return count


def list_overrides() -> list[CalendarOverride]:
    """All overrides, newest date first."""
    return list(db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())))


def set_override(actor: User, day: date, is_workday: bool, note: str) -> CalendarOverride:
    """Declare a date a workday or rest day (replacing an earlier override of that date); audited."""
    if len(note) > 100:
        raise ValidationFailed({"note": [N_("说明不能超过 100 个字符。")]})
    row = db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    old = None if row is None else row.is_workday
    if row is None:
        row = CalendarOverride(day=day, is_workday=is_workday, note=note, created_by_id=actor.id)
        db.session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    db.session.flush()
    record_event("calendar.override_set", actor=actor, object_type="calendar", object_id=day.isoformat(),
                 details={"is_workday": {"old": old, "new": is_workday}, "note": note})
    return row
