"""Calendars ahead of time: built-in years, importing a year (all or nothing), warnings from November."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.calendar import yearly
from app.calendar.models import CalendarOverride
from app.calendar.services import WorkingDays
from app.clock import set_clock
from app.extensions import db
from tests.conftest import user_for

SCHEDULE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（示例）
类型,开始日期,结束日期,名称
休,2027-01-01,2027-01-03,元旦
休,2027-02-06,2027-02-13,春节
班,2027-02-14,,春节调休上班
休,2027-10-01,2027-10-07,国庆节
班,2027-10-09,,国庆节调休上班
"""


@pytest.fixture
def november_2026():
    set_clock(lambda: datetime(2026, 11, 22, 2, 0))
    yield
    set_clock(None)


def test_builtin_years_and_their_days():
    assert {2025, 2026} <= yearly.package_years() and 2027 not in yearly.package_years()
    days = {d.day: d for d in yearly.year_days(2026)}
    assert days[date(2026, 10, 1)].name == "国庆节" and not days[date(2026, 10, 1)].is_workday
    assert days[date(2026, 10, 10)].is_workday and days[date(2026, 10, 10)].source == "package"


def test_warned_in_november_when_next_year_is_missing(november_2026):
    assert yearly.years_to_warn(date(2026, 11, 22)) == [2027]
    assert yearly.years_to_warn(date(2026, 10, 31)) == []


def test_import_covers_the_year_and_moves_deadlines(november_2026):
    admin = user_for(Role.ADMIN)
    # Before: 2027-02-08 (Mon) counts as a workday
    assert WorkingDays().is_workday(date(2027, 2, 8))
    row = yearly.import_schedule(admin, 2027, SCHEDULE_2027, "2027.csv")
    assert row.ranges == 5 and yearly.is_covered(2027)
    assert yearly.years_to_warn(date(2026, 11, 22)) == []
    calendar = WorkingDays()
    assert not calendar.is_workday(date(2027, 2, 8)) and calendar.is_workday(date(2027, 2, 14))
    assert calendar.add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 14)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "calendar.year_imported"))
    assert len(event.details["ranges"]) == 5


def test_bad_schedule_names_each_line_and_changes_nothing():
    admin = user_for(Role.ADMIN)
    bad = "休,2027-01-01,2026-12-31,元旦\n放,2027-05-01,,劳动节\n休,2028-01-01,,元旦\n休,2027-13-01,,x\n"
    with pytest.raises(yearly.ScheduleInvalid) as refused:
        yearly.import_schedule(admin, 2027, bad, "bad.csv")
    assert [(m, p["row"]) for m, p in refused.value.problems] == [
        ("第 %(row)s 行：结束日期早于开始日期。", 1), ("第 %(row)s 行：类型应为“休”或“班”。", 2),
        ("第 %(row)s 行：日期不在 %(year)s 年内。", 3), ("第 %(row)s 行：日期格式应为 YYYY-MM-DD。", 4)]
    assert not yearly.is_covered(2027)
    assert db.session.scalar(select(CalendarOverride).where(CalendarOverride.day >= date(2027, 1, 1))) is None


def test_admin_pages_warn_import_and_keep_the_text_on_error(as_role, november_2026):
    admin = as_role(Role.ADMIN)
    home = admin.get("/").get_data(as_text=True)
    assert "2027 年的节假日安排尚未导入" in home
    assert "2027 年的节假日安排尚未导入" not in as_role(Role.INSPECTOR).get("/").get_data(as_text=True)
    page = admin.get("/admin/calendar/years/2026").get_data(as_text=True)
    assert "国庆节" in page and "内置" in page
    refused = admin.post("/admin/calendar/import", data={"year": "2027", "schedule": "休,2027-01-01,,元旦\n乱码"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "第 2 行：类型应为“休”或“班”。" in body and "休,2027-01-01,,元旦" in body
    done = admin.post("/admin/calendar/import", data={"year": "2027", "schedule": SCHEDULE_2027})
    assert done.status_code == 302
    assert "尚未导入" not in admin.get("/").get_data(as_text=True)
    assert "春节调休上班" in admin.get("/admin/calendar/years/2027").get_data(as_text=True)


def test_deadline_in_an_uncovered_year_says_so(app):
    from app.calendar.web import init_app  # noqa: F401 - the filter is registered by create_app
    with app.test_request_context():
        uncovered = app.jinja_env.filters["uncovered"]
        assert uncovered(datetime(2027, 3, 1, 1, 0)) and not uncovered(datetime(2026, 3, 1, 1, 0))
