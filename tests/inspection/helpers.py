"""Driving one random-inspection case through its steps as the demo users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth.roles import Role
from app.clock import utcnow
from app.directories.models import Tier
from app.draws.services import draws
from app.extensions import db
from app.workflow.models import Task
from app.workflow.services import cases
from tests.conftest import user_for

ONSITE = {"credentials_shown": True, "purpose_stated": True, "checked_on": "2027-03-05",
          "start_time": "09:30", "end_time": "11:45", "present_person": "王某", "present_position": "办公室主任",
          "findings": [{"area": "storage", "situation": "库房温湿度记录不全", "problem": True}],
          "av_missing_reason": "执法记录仪故障", "inquiry_needed": False}
INQUIRY = {"inquiry_person": "王某", "inquiry_gender": "male", "inquiry_id_no": "11010519800101123X",
           "inquiry_position": "档案员", "inquiry_phone": "0999-7654321", "inquiry_relation": "被检查单位档案员",
           "inquiry_start": "10:00", "inquiry_end": "10:40", "inquiry_place": "被检查单位会议室",
           "inquiry_qa": [{"question": "温湿度记录在哪里？", "answer": "没有记录。"}]}


def start_inspection() -> int:
    """Draw (5 % of the demo objects), confirm, and return the first new inspection case's id."""
    year = utcnow().year + 1
    tiers = list(db.session.scalars(select(Tier.id)))
    draw = draws.prepare(user_for(Role.SUPERVISION), {"year": year, "ratio": "0.05", "tier_ids": tiers,
                                                      "period_start": f"{year}-03-01", "period_end": f"{year}-10-31"})
    draws.perform(user_for(Role.DISCIPLINE), draw, "615243")
    assert draws.confirm(user_for(Role.SUPERVISION), draw, "random_inspection") >= 1
    return db.session.scalar(select(Task.case_id).where(Task.element_id == "plan").order_by(Task.id.desc()))


def ready(case_id: int) -> list[Task]:
    """The case's open tasks."""
    return list(db.session.scalars(select(Task).where(Task.case_id == case_id, Task.state == "ready")
                                   .order_by(Task.id)))


def do(case_id: int, element: str, role: Role, data: dict[str, Any]) -> Task:
    """Complete the open task with this BPMN id as the demo user of this role."""
    task = next(t for t in ready(case_id) if t.element_id == element)
    return cases.complete_task(user_for(role), task.id, data)


def case_values(case_id: int) -> dict[str, Any]:
    """The case's data."""
    return cases.case_data(cases.get_case(case_id))


def recorder(case_id: int) -> str:
    """The certificate number of the team's first officer (picked as recorder)."""
    return str(case_values(case_id)["officers"][0]["code"])


def plan(case_id: int) -> Task:
    """The plan for the drawn date (the inspection notice)."""
    day = case_values(case_id)["planned_date"]
    return do(case_id, "plan", Role.INSPECTOR, {"key_areas": ["storage", "management"], "notice_date": day})


def onsite(case_id: int, **changes: Any) -> Task:
    """The on-site check on the planned date, the first officer recording."""
    data = {**ONSITE, "checked_on": case_values(case_id)["notice_date"], "recorder": recorder(case_id), **changes}
    return do(case_id, "onsite", Role.INSPECTOR, data)


def through_evaluation(case_id: int, onsite_changes: dict[str, Any] | None = None) -> None:
    """Plan, on-site check and both evaluations."""
    plan(case_id)
    onsite(case_id, **(onsite_changes or {}))
    do(case_id, "officer_eval", Role.INSPECTOR, {"officer_opinion": "库房管理存在问题"})
    do(case_id, "expert_eval", Role.EXPERT, {"expert_opinion": "同意执法人员意见"})
