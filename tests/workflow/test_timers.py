"""Timers: due times in an indexed column, fired by the worker on an injectable clock, in working days."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.calendar.services import WorkingDays, set_override
from app.clock import set_clock
from app.extensions import db
from app.workflow.cli import run_due_timers
from app.workflow.models import Task
from app.workflow.services import cases
from tests.conftest import user_for
from tests.workflow.helpers import load_process


@pytest.fixture
def clock():
    now = [datetime(2026, 9, 28, 9, 0)]  # Monday before the National Day holiday
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def _ready(case):
    return [t.name for t in db.session.scalars(select(Task).where(Task.case_id == case.id, Task.state == "ready"))]


def test_intermediate_timer_waits_three_working_days_across_the_holiday(clock):
    load_process("timers")
    case = cases.start_case(None, "test_timers", "t", {"team_user_ids": []})
    db.session.commit()  # the worker rolls back when nothing is due: keep the case
    # 9-28 Mon + 3 working days: 9-29, 9-30, then the holiday (10-1..10-7) and 10-8 → due 10-8 09:00 (local calendar)
    assert case.next_timer_at is not None and case.next_timer_at.date() == date(2026, 10, 8)
    clock[0] = datetime(2026, 10, 7, 9, 0)
    assert run_due_timers() == 0 and _ready(case) == []
    clock[0] = datetime(2026, 10, 9, 9, 0)
    assert run_due_timers() == 1
    assert _ready(case) == ["提交整改报告"]
    task = db.session.scalar(select(Task).where(Task.case_id == case.id, Task.state == "ready"))
    assert task.due_at.date() == date(2026, 10, 12)  # Fri 10-9 + 2 working days: Sat 10-10 (make-up workday), Mon 10-12


def test_boundary_timer_escalates_an_overdue_task(clock):
    load_process("timers")
    case = cases.start_case(None, "test_timers", "t", {"team_user_ids": [user_for(Role.INSPECTOR).id]})
    db.session.commit()
    clock[0] = datetime(2026, 10, 9, 9, 0)
    run_due_timers()
    clock[0] = datetime(2026, 10, 20, 9, 0)
    assert run_due_timers() == 1
    assert _ready(case) == ["督办逾期整改"]
    cancelled = db.session.scalar(select(Task).where(Task.case_id == case.id, Task.element_id == "report"))
    assert cancelled.state == "cancelled"


def test_inbox_marks_overdue(clock, as_role):
    load_process("timers")
    inspector = user_for(Role.INSPECTOR)
    cases.start_case(None, "test_timers", "逾期测试", {"team_user_ids": [inspector.id]})
    db.session.commit()
    clock[0] = datetime(2026, 10, 9, 9, 0)
    run_due_timers()
    db.session.commit()
    clock[0] = datetime(2026, 10, 14, 9, 0)
    page = as_role(Role.INSPECTOR).get("/tasks").get_data(as_text=True)
    assert "逾期测试" in page and "已逾期" in page


def test_working_days_follow_the_official_calendar():
    days = WorkingDays({})
    assert days.is_workday(date(2026, 10, 10))      # make-up workday (Saturday)
    assert not days.is_workday(date(2026, 10, 5))   # National Day holiday (Monday)
    assert days.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert days.working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1


def test_admin_overrides_cover_years_the_package_does_not():
    admin = user_for(Role.ADMIN)
    far = date(2031, 1, 1)  # beyond the package's data: weekdays count unless overridden
    assert WorkingDays().is_workday(far)
    set_override(admin, far, False, "元旦")
    assert not WorkingDays().is_workday(far)
    assert WorkingDays().add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 2)


def test_admin_calendar_page(as_role):
    client = as_role(Role.ADMIN)
    response = client.post("/admin/calendar/", data={"day": "2031-02-03", "kind": "rest", "note": "春节"})
    assert response.status_code == 302
    assert "春节" in client.get("/admin/calendar/").get_data(as_text=True)
    bad = client.post("/admin/calendar/", data={"day": "not-a-date", "kind": "rest"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)


def test_timer_due_times_are_in_an_indexed_column(app):
    from app.workflow.models import Case

    assert any(index.columns.keys() == ["next_timer_at"] for index in Case.__table__.indexes)


def test_working_days_count_the_bureaus_local_days_not_utc():
    """17:00 UTC on 30 September is already 1 October (a holiday) in Beijing."""
    days = WorkingDays({})
    evening_utc = datetime(2026, 9, 30, 17, 0)
    assert days.add_working_days(evening_utc, 1) == datetime(2026, 10, 7, 17, 0)  # 8 October 01:00 in Beijing
    assert not days.is_workday(evening_utc)
    assert days.is_workday(datetime(2026, 9, 30, 15, 59))  # 23:59 on the 30th in Beijing


def test_invalid_timezone_is_refused():
    from app.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="TIMEZONE"):
        load_config({"TIMEZONE": "Mars/Olympus"})
