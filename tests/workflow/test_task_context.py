"""Context on task pages: declared per form, drawn from earlier steps, labelled and formatted; finished tasks show
what was submitted, by whom and when."""

import re

from sqlalchemy import select

from app.auth.roles import Role
from app.demo.history import DEMO_CLOSED_PENALTY_SUBJECT, DEMO_INSPECTION_SUBJECT
from app.extensions import db
from app.workflow.models import Case, Task
from tests.cases.helpers import REVIEW_OK, do, report, start, to_report


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _open_task(case_id: int, element: str) -> Task:
    return db.session.scalar(select(Task).where(Task.case_id == case_id, Task.element_id == element,
                                                Task.state == "ready"))


def test_leaders_decision_page_shows_facts_amount_evidence_and_review_before_deciding(as_role):
    case_id = start({"source": "complaint"})
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(100000))
    do(case_id, "review", Role.LEGAL, {**REVIEW_OK, "el_discretion": "problem", "review_opinion": "裁量偏高但可接受"})
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "无异议", "hearing_requested": False})
    db.session.commit()
    task = _open_task(case_id, "decide")
    page = as_role(Role.LEADER).get(f"/tasks/{task.id}").get_data(as_text=True)
    text = _text(page)
    assert 'data-testid="task-context"' in page
    assert page.index('data-testid="task-context"') < page.index('data-testid="task-form"')
    assert "擅自销毁应当归档的文件材料" in text  # facts
    assert "¥100,000.00" in text  # amount, formatted
    assert "罚款（第四十九条）" in text and "fine" not in re.findall(r">([^<]*)<", page)  # a choice by its label
    assert "销毁记录" in text and "当事人提供" in text  # evidence rows as a table
    assert "证据是否确凿充分 符合" in text and "执行裁量基准是否适当 不符合" in text  # each review element, labelled
    assert "同意" in text and "裁量偏高但可接受" in text and "李法制（演示）" in text  # conclusion, reviewer
    assert "el_" not in text and "None" not in text and "review_outcome" not in text
    assert "同意立案" in text  # the prior opinion of the filing approval


def test_completed_task_shows_what_was_submitted_by_whom_and_when(as_role):
    case_id = start()
    to_report(case_id)
    db.session.commit()
    task = db.session.scalar(select(Task).where(Task.case_id == case_id, Task.element_id == "investigate"))
    page = as_role(Role.AUDITOR).get(f"/tasks/{task.id}").get_data(as_text=True)
    own = _text(page[page.index('data-testid="own-submission"'):])
    assert "王检查（演示）" in own and "文件材料去哪里了？" in own and "按公司安排销毁了。" in own
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", own)
    assert "否" in own  # preservation_needed False shown as 否


def test_demo_evaluation_page_shows_on_site_findings_and_attachments_with_hashes(as_role):
    case = db.session.scalar(select(Case).where(Case.subject == DEMO_INSPECTION_SUBJECT))
    task = db.session.scalar(select(Task).where(Task.case_id == case.id, Task.element_id == "expert_eval"))
    page = as_role(Role.AUDITOR).get(f"/tasks/{task.id}").get_data(as_text=True)
    context = page[page.index('data-testid="task-context"'):]
    assert "库房温湿度记录 2026 年 7—9 月缺失" in context and "档案库房、设施设备" in context
    assert "库房温湿度记录表照片.txt" in context and "SHA-256" in context and "/attachments/" in context
    assert "执法人员02（演示）" in context  # the team, by name


def test_demo_penalty_case_is_closed_with_its_review_rounds():
    case = db.session.scalar(select(Case).where(Case.subject == DEMO_CLOSED_PENALTY_SUBJECT))
    assert case.status == "completed"
    reviews = list(db.session.scalars(select(Task.state).where(Task.case_id == case.id, Task.element_id == "review")))
    assert reviews == ["completed", "completed"]
