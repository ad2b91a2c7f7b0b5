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
          "findings": [{"area": "storage", "situation": "库房温湿度记录不全", "problem": True}],
          "av_missing_reason": "执法记录仪故障", "inquiry_needed": False}


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


def through_evaluation(case_id: int, onsite: dict[str, Any] | None = None) -> None:
    """Plan, on-site check and both evaluations."""
    do(case_id, "plan", Role.INSPECTOR, {"key_areas": ["storage", "management"], "notice_date": "2027-03-05"})
    do(case_id, "onsite", Role.INSPECTOR, onsite or ONSITE)
    do(case_id, "officer_eval", Role.INSPECTOR, {"officer_opinion": "库房管理存在问题"})
    do(case_id, "expert_eval", Role.EXPERT, {"expert_opinion": "同意执法人员意见"})
