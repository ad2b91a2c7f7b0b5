"""Calendars ahead of time: which years are covered, each year's holidays, importing the State Council's schedule.

A year is *covered* when the chinese-calendar package knows its official holidays or an administrator imported
the year's schedule. Deadlines in an uncovered year are still computed (Monday–Friday plus any overrides) but
every page that shows one says so, and from November the administrator is warned that next year is missing.

The import format (UTF-8 text or CSV; `#` starts a comment; a header line is optional):

    类型,开始日期,结束日期,名称
    休,2027-01-01,2027-01-03,元旦
    班,2027-02-07,,春节调休上班

类型 is 休 (rest: holiday) or 班 (make-up workday) — `rest`/`holiday` and `work`/`workday` are accepted too;
an empty end date means one day.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from chinese_calendar import constants as official
from sqlalchemy import delete, select

from app.audit.services import record_event
from app.auth.models import User
from app.calendar.models import CalendarOverride, CalendarYear
from app.errors import N_, ValidationFailed
from app.extensions import db

HOLIDAY_NAMES = {
    "New Year's Day": N_("元旦"), "Spring Festival": N_("春节"), "Tomb-sweeping Day": N_("清明节"),
    "Labour Day": N_("劳动节"), "Dragon Boat Festival": N_("端午节"), "Mid-autumn Festival": N_("中秋节"),
    "National Day": N_("国庆节"), "Anti-Fascist 70th Day": N_("中国人民抗日战争胜利70周年纪念日"),
}
REST_WORDS = {"休", "假", "休息", "放假", "rest", "holiday"}
WORK_WORDS = {"班", "上班", "调休上班", "work", "workday"}
HEADER_WORDS = {"类型", "kind", "type"}
MAX_RANGE_DAYS = 31
WARN_FROM_MONTH = 11


class ScheduleInvalid(ValidationFailed):
    """A schedule with bad lines; `problems` are (message, parameters) pairs, each naming its line."""

    def __init__(self, problems: list[tuple[str, dict[str, object]]]) -> None:
        super().__init__({"schedule": [message for message, _params in problems]},
                         N_("节假日安排有误，未导入任何内容，请按提示修改。"))
        self.problems = problems


@dataclass(frozen=True)
class Range:
    """One line of a schedule: rest days or make-up workdays from `start` to `end` inclusive."""

    is_workday: bool
    start: date
    end: date
    name: str

    def days(self) -> list[date]:
        """Every date of the range."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Day:
    """A special day of a year as the admin page lists it."""

    day: date
    is_workday: bool
    name: str
    source: str  # package | imported | override


@lru_cache(maxsize=1)
def package_years() -> frozenset[int]:
    """Years whose official holidays the chinese-calendar package knows."""
    return frozenset(d.year for d in official.holidays)


def imported_years() -> set[int]:
    """Years an administrator imported."""
    return set(db.session.scalars(select(CalendarYear.year)))


def covered_years() -> set[int]:
    """Every covered year (package or imported)."""
    return set(package_years()) | imported_years()


def is_covered(year: int, covered: set[int] | None = None) -> bool:
    """Whether the year's official holidays are known."""
    return year in (covered if covered is not None else covered_years())


def years_to_warn(today: date, covered: set[int] | None = None) -> list[int]:
    """This year if uncovered, and from November next year if uncovered: the administrator must import them."""
    covered = covered if covered is not None else covered_years()
    years = [today.year] if today.year not in covered else []
    if today.month >= WARN_FROM_MONTH and today.year + 1 not in covered:
        years.append(today.year + 1)
    return years


def year_days(year: int) -> list[Day]:
    """The year's holidays and make-up workdays, from the package, then administrators' entries on top."""
    days: dict[date, Day] = {}
    for source, table, is_workday in (("package", official.holidays, False), ("package", official.workdays, True)):
        for day, name in table.items():
            if day.year == year:
                days[day] = Day(day, is_workday, HOLIDAY_NAMES.get(str(name), str(name)), source)
    source = "imported" if year in imported_years() else "override"
    overrides = db.session.scalars(select(CalendarOverride).where(
        CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31)))
    for row in overrides:
        days[row.day] = Day(row.day, row.is_workday, row.note, source)
    return [days[d] for d in sorted(days)]


def parse_schedule(text: str, year: int) -> list[Range]:
    """Read a schedule; every problem names its line, and nothing is returned unless all lines are good."""
    errors: list[tuple[str, dict[str, object]]] = []
    ranges: list[Range] = []
    rows = csv.reader(io.StringIO(text.replace("，", ",").lstrip("\ufeff")))
    for number, cells in enumerate(rows, start=1):
        cells = [c.strip() for c in cells]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if cells[0].lower() in HEADER_WORDS:
            continue
        cells += [""] * (4 - len(cells))
        kind, start_text, end_text, name = cells[:4]
        if kind.lower() not in REST_WORDS | WORK_WORDS:
            errors.append((N_("第 %(row)s 行：类型应为“休”或“班”。"), {"row": number}))
            continue
        try:
            start = date.fromisoformat(start_text)
            end = date.fromisoformat(end_text) if end_text else start
        except ValueError:
            errors.append((N_("第 %(row)s 行：日期格式应为 YYYY-MM-DD。"), {"row": number}))
            continue
        if end < start:
            errors.append((N_("第 %(row)s 行：结束日期早于开始日期。"), {"row": number}))
        elif start.year != year or end.year != year:
            errors.append((N_("第 %(row)s 行：日期不在 %(year)s 年内。"), {"row": number, "year": year}))
        elif (end - start).days >= MAX_RANGE_DAYS:
            errors.append((N_("第 %(row)s 行：一段最长 %(n)s 天。"), {"row": number, "n": MAX_RANGE_DAYS}))
        elif len(name) > 100:
            errors.append((N_("第 %(row)s 行：名称最多 100 字。"), {"row": number}))
        else:
            ranges.append(Range(kind.lower() in WORK_WORDS, start, end, name))
    seen: dict[date, bool] = {}
    for item in ranges:
        for day in item.days():
            if day in seen:
                errors.append((N_("日期 %(day)s 出现在多行中。"), {"day": day.isoformat()}))
            seen[day] = item.is_workday
    if not ranges and not errors:
        errors.append((N_("没有读到任何安排：每行应为“类型,开始日期,结束日期,名称”。"), {}))
    if errors:
        raise ScheduleInvalid(errors[:20])
    return ranges


def import_schedule(actor: User, year: int, text: str, source: str) -> CalendarYear:
    """Replace the year's entries with the schedule and mark the year covered; one audit event (caller commits)."""
    if not 2000 <= year <= 2100:
        raise ValidationFailed({"year": [N_("年份应在 2000 到 2100 之间。")]})
    ranges = parse_schedule(text, year)
    db.session.execute(delete(CalendarOverride).where(CalendarOverride.day >= date(year, 1, 1),
                                                      CalendarOverride.day <= date(year, 12, 31)))
    for item in ranges:
        for day in item.days():
            db.session.add(CalendarOverride(day=day, is_workday=item.is_workday, note=item.name[:100],
                                            created_by_id=actor.id))
    row = db.session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        db.session.add(row)
    row.source, row.ranges, row.imported_by_id = source[:200], len(ranges), actor.id
    db.session.flush()
    record_event("calendar.year_imported", actor=actor, object_type="calendar", object_id=str(year),
                 details={"source": source[:200], "ranges": [
                     {"kind": "workday" if r.is_workday else "rest", "start": r.start, "end": r.end, "name": r.name}
                     for r in ranges]})
    return row
