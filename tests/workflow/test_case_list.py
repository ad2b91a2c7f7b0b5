"""The case list: search, filters (process, status, party, dates, overdue, person), sorting and paging."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.roles import Role
from app.clock import utcnow
from app.demo.history import DEMO_CLOSED_PENALTY_SUBJECT, DEMO_INSPECTION_SUBJECT
from app.extensions import db
from app.workflow.models import Case, Task
from app.workflow.services.case_list import CaseQuery, search_cases
from tests.conftest import user_for


def _ids(**kwargs):
    rows, total = search_cases(CaseQuery(**kwargs), utcnow(), per_page=500)
    return {c.subject for c in rows}, total


def test_filters_by_process_status_party_and_person():
    subjects, _total = _ids(process_id="case_handling", status="completed")
    assert DEMO_CLOSED_PENALTY_SUBJECT in subjects and DEMO_INSPECTION_SUBJECT not in subjects
    subjects, _total = _ids(text="某档案服务有限公司（演示）")  # the party, set from the filing form
    assert DEMO_CLOSED_PENALTY_SUBJECT in subjects
    subjects, _total = _ids(text="示例市第4档案馆")
    assert DEMO_INSPECTION_SUBJECT in subjects
    subjects, _total = _ids(person_id=user_for(Role.EXPERT).id)  # the expert evaluated the demo inspection
    assert DEMO_INSPECTION_SUBJECT in subjects and DEMO_CLOSED_PENALTY_SUBJECT not in subjects
    penalty = db.session.scalar(select(Case).where(Case.subject == DEMO_CLOSED_PENALTY_SUBJECT))
    subjects, total = _ids(text=f"#{penalty.id}")
    assert subjects == {DEMO_CLOSED_PENALTY_SUBJECT} and total == 1


def test_dates_and_overdue():
    penalty = db.session.scalar(select(Case).where(Case.subject == DEMO_CLOSED_PENALTY_SUBJECT))
    day = penalty.created_at
    subjects, _total = _ids(start=day - timedelta(hours=1), end=day + timedelta(hours=1))
    assert DEMO_CLOSED_PENALTY_SUBJECT in subjects and DEMO_INSPECTION_SUBJECT not in subjects
    open_task = db.session.scalars(select(Task).where(Task.state == "ready")).first()
    open_task.due_at = utcnow() - timedelta(days=1)
    db.session.flush()
    subjects, _total = _ids(overdue=True)
    assert subjects == {open_task.case.subject}


def test_page_sorts_pages_and_keeps_filters(as_role):
    client = as_role(Role.AUDITOR)
    page = client.get("/cases?status=completed&sort=subject&dir=asc").get_data(as_text=True)
    first, second = sorted([DEMO_CLOSED_PENALTY_SUBJECT, DEMO_INSPECTION_SUBJECT])
    assert page.index(first) < page.index(second)
    backwards = client.get("/cases?status=completed&sort=subject&dir=desc").get_data(as_text=True)
    assert backwards.index(first) > backwards.index(second)
    assert 'aria-sort="ascending"' in page and "status=completed" in page
    assert "某档案服务有限公司（演示）" in page  # the party column
    empty = client.get("/cases?q=不存在的案件名称").get_data(as_text=True)
    assert 'data-testid="case-empty"' in empty and "清除" in empty
    bad = client.get("/cases?start=2026-11-22&end=2026-11-01").get_data(as_text=True)
    assert "结束日期不能早于 2026-11-22" in bad
