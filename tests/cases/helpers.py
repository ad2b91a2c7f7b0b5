"""Driving a case-handling case through its steps as the demo users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.workflow.models import Task
from app.workflow.services import cases
from tests.conftest import user_for

FILE = {"party_name": "某档案服务有限公司（演示）", "party_type": "unit", "source": "complaint",
        "party_credit_code": "91999999MA0000001X", "party_legal_rep": "赵某", "party_address": "示例市演示路 8 号",
        "facts": "擅自销毁应当归档的文件材料", "legal_basis": "《中华人民共和国档案法》第四十八条、第四十九条",
        "investigators": [{"certificate_no": "示档执2026001"}, {"certificate_no": "示档执2026002"}]}
INVESTIGATE = {"inquiry_person": "张某", "inquiry_gender": "female", "inquiry_id_no": "110105198502021234",
               "inquiry_position": "行政主管", "inquiry_phone": "0999-1234567", "inquiry_relation": "当事人员工",
               "inquiry_date": "2027-04-01", "inquiry_start": "14:00", "inquiry_end": "15:10",
               "inquiry_place": "示例市档案局询问室", "recorder": "示档执2026002",
               "inquiry_qa": [{"question": "文件材料去哪里了？", "answer": "按公司安排销毁了。"}],
               "evidence_items": [{"name": "销毁记录", "source": "当事人提供", "proves": "销毁事实"}],
               "preservation_needed": False}
SERVE = {"service_method": "direct", "served_on": "2027-05-21", "service_time": "10:00",
         "service_place": "当事人住所", "servers": "执法人员01（演示）、执法人员02（演示）"}
REVIEW_OK = {**{f"el_{k}": "ok" for k in ("subject", "qualification", "facts", "evidence", "law", "discretion",
                                          "procedure", "overreach", "documents", "crime", "other")},
             "review_outcome": "agree", "review_opinion": "同意"}


BASIS = {"fine": "《中华人民共和国档案法》第四十九条", "sanction": "《中华人民共和国档案法》第四十八条",
         "no_penalty": "《中华人民共和国行政处罚法》第三十三条第一款"}


def report(fine: float, decision_type: str = "fine", beyond: bool = False) -> dict[str, Any]:
    """An investigation report proposing a fine (or another decision)."""
    return {"found_facts": "2027 年 3 月擅自销毁文件材料 200 余件", "evidence_summary": "询问笔录、销毁记录",
            "decision_type": decision_type, "fine_amount": fine, "beyond_discretion": beyond,
            "discretion_reason": "当事人初次违法，积极配合调查",
            "decision_basis": BASIS[decision_type],
            **({"appointing_authority": "示例市某局", "responsible_persons": "李某（办公室主任）"}
               if decision_type == "sanction" else {})}


def start(data: dict[str, Any] | None = None) -> int:
    """A case filed directly by the legal section."""
    case = cases.start_case(user_for(Role.LEGAL), "case_handling", "档案违法案（测试）", data or {})
    return case.id


def ready(case_id: int) -> list[str]:
    """BPMN ids of the open tasks of the case (and of its called legal review)."""
    return sorted(t.element_id for t in db.session.scalars(
        select(Task).where(Task.case_id == case_id, Task.state == "ready")))


def do(case_id: int, element: str, role: Role, data: dict[str, Any]) -> None:
    """Complete the open task with this BPMN id as the demo user of this role."""
    task = db.session.scalar(select(Task).where(Task.case_id == case_id, Task.state == "ready",
                                                Task.element_id == element))
    assert task is not None, (element, ready(case_id))
    cases.complete_task(user_for(role), task.id, data)


def to_report(case_id: int) -> None:
    """File, approve, investigate."""
    do(case_id, "file", Role.LEGAL, FILE)
    do(case_id, "approve_filing", Role.LEADER, {"filing_decision": "approve", "filing_opinion": "同意立案"})
    do(case_id, "investigate", Role.INSPECTOR, INVESTIGATE)


def fire_timers_at(case_id: int, moment: Any) -> None:
    """Move the clock to `moment` (naive UTC) and let the worker fire this case's due timers."""
    from app.clock import set_clock
    from app.workflow.services import timers

    set_clock(lambda: moment)
    try:
        timers.fire_timers(cases.get_case(case_id))
    finally:
        set_clock(None)
