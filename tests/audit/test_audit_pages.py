"""The audit pages: labelled, filtered by date range, person, case and action, exported to Excel, verified in place."""

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.exporting import safe_cell
from app.audit.services import record_event
from app.auth.roles import Role
from app.demo.history import DEMO_CLOSED_PENALTY_SUBJECT
from app.extensions import db
from app.workflow.models import Case
from tests.conftest import user_for


def _penalty_case():
    return db.session.scalar(select(Case).where(Case.subject == DEMO_CLOSED_PENALTY_SUBJECT))


def test_events_are_labelled_and_filtered_by_case_person_action_and_dates(as_role):
    case = _penalty_case()
    leader = user_for(Role.LEADER)
    client = as_role(Role.AUDITOR)
    page = client.get(f"/audit/?case_id={case.id}&actor_id={leader.id}&action=task.completed").get_data(as_text=True)
    table = page[page.index('data-testid="audit-table"'):]
    assert table.count("<tr>") == 3  # header + approve_filing + decide
    assert "完成任务" in table and "局领导审批立案" in table and "孙局长（演示）" in table
    assert "task.completed" not in re.sub(r'value="[^"]*"', "", table)
    assert '<option value="task.completed" selected>完成任务</option>' in page
    start = case.created_at.date().isoformat()
    in_range = client.get(f"/audit/?case_id={case.id}&start={start}&end={start}").get_data(as_text=True)
    assert "案件启动" in in_range and "局领导作出处罚决定" not in in_range
    bad = client.get("/audit/?start=2026-11-22&end=2026-11-01").get_data(as_text=True)
    assert "结束日期不能早于 2026-11-22" in bad


def test_verify_keeps_the_filters_and_get_does_not_405(as_role):
    case = _penalty_case()
    client = as_role(Role.AUDITOR)
    page = client.post(f"/audit/verify?case_id={case.id}").get_data(as_text=True)
    assert 'data-testid="verify-result"' in page and "哈希链完整" in page
    assert f'name="case_id" inputmode="numeric" placeholder="例如 12" value="{case.id}"' in page
    response = client.get(f"/audit/verify?case_id={case.id}")
    assert response.status_code == 302 and f"case_id={case.id}" in response.headers["Location"]


def test_export_is_a_labelled_workbook_with_formula_cells_neutralised(as_role):
    record_event("user.updated", actor=user_for(Role.ADMIN), object_type="user", object_id=1,
                 details={"username": "=HYPERLINK(\"http://x\")"})
    db.session.commit()
    response = as_role(Role.AUDITOR).get(f"/audit/export.xlsx?actor_id={user_for(Role.ADMIN).id}&action=user.updated")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("#", "时间", "操作人", "操作")
    assert rows[-1][3] == "修改账号" and rows[-1][5].startswith("用户名：=HYPERLINK") is True
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@SUM") == "'@SUM" and safe_cell("正常") == "正常"
    assert safe_cell("-2") == "'-2" and safe_cell(5) == 5
