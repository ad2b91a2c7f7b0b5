"""Two closed demo cases made by running the real procedures through the case service, step by step.

A random inspection with one rectification round and a major penalty case with a legal review (one revise round),
each with its documents, attachments and history, so auditors, the guides and the document review have real
material. The clock is moved forward step by step (as the timer worker's clock is), so the history spans weeks.
Everything is fictitious and marked （演示）.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.clock import set_clock, utcnow
from app.directories.models import InspectionObject
from app.extensions import db
from app.workflow.models import Case, Task
from app.workflow.services import attachments, cases

DEMO_INSPECTION_UNIT = "示例市第4档案馆（演示）"
DEMO_INSPECTION_SUBJECT = f"示例：{DEMO_INSPECTION_UNIT}年度随机抽查（已整改，演示数据）"
DEMO_CLOSED_PENALTY_SUBJECT = "示例：某档案服务有限公司擅自销毁档案案（已结案，演示数据）"
DEMO_DECISION_SUBJECT = "示例：另一档案服务有限公司擅自销毁档案案（待局领导决定，演示数据）"


class _Script:
    """Completes a case's open tasks in order as given users, the clock moving forward between steps."""

    def __init__(self, case: Case, start: datetime, storage: Path | None, users: dict[str, User]) -> None:
        self.case, self.now, self.storage, self.users = case, start, storage, users

    def tick(self, hours: float) -> str:
        """Move the simulated clock; return the new local date (ISO) for form dates."""
        self.now += timedelta(hours=hours)
        return (self.now + timedelta(hours=8)).date().isoformat()

    def file(self, element: str, user: str, field: str, name: str, text: str) -> list[int]:
        """An attachment uploaded with the next task (none without a storage folder)."""
        if self.storage is None:
            return []
        task = self._task(element)
        record = attachments.store(self.storage, actor=self.users[user], case_id=self.case.id, task_id=task.id,
                                   field=field, filename=name, content_type="text/plain",
                                   stream=io.BytesIO(text.encode("utf-8")))
        return [record.id]

    def _task(self, element: str) -> Task:
        task = db.session.scalar(select(Task).where(Task.case_id == self.case.id, Task.state == "ready",
                                                    Task.element_id == element))
        if task is None:
            raise LookupError(f"demo case {self.case.id}: no open task {element}")
        return task

    def do(self, element: str, user: str, data: dict[str, Any], hours: float = 26) -> None:
        """Complete the open task with this BPMN id."""
        cases.complete_task(self.users[user], self._task(element).id, data)
        self.tick(hours)


def seed_closed_inspection(users: dict[str, User], storage: Path | None) -> bool:
    """A random inspection that found a problem, ordered rectification, rechecked once and accepted."""
    if db.session.scalar(select(Case.id).where(Case.subject == DEMO_INSPECTION_SUBJECT)) is not None:
        return False
    unit = db.session.scalar(select(InspectionObject).where(InspectionObject.name == DEMO_INSPECTION_UNIT))
    if unit is None:
        return False
    start = utcnow().replace(microsecond=0) - timedelta(days=60)
    clock = {"now": start}
    set_clock(lambda: clock["now"])
    try:
        case = cases.start_case(users["supervision"], "random_inspection", DEMO_INSPECTION_SUBJECT, {
            "object_id": unit.id, "object_code": unit.credit_code, "object_name": unit.name,
            "planned_date": (start + timedelta(days=2)).date().isoformat(),
            "officers": [{"code": "示档执2026002", "name": "执法人员02（演示）"},
                         {"code": "示档执2026003", "name": "执法人员03（演示）"}],
            "experts": [{"code": "ZJ-002", "name": "专家02（演示）"}],
            "team_user_ids": [users["inspector"].id, users["expert"].id], "inspection_items": ["SJ-02", "SJ-04"]})
        script = _Script(case, start, storage, users)

        def step(element: str, user: str, data: dict[str, Any], hours: float = 26) -> None:
            script.do(element, user, data, hours)
            clock["now"] = script.now

        day = script.tick(2)
        clock["now"] = script.now
        step("plan", "inspector", {"key_areas": ["storage", "management"], "notice_date": day,
                                   "plan_notes": "重点查看库房“八防”设施和温湿度记录。"})
        day = script.tick(0)
        photos = script.file("onsite", "inspector", "evidence", "库房温湿度记录表照片.txt",
                             "演示数据：库房温湿度记录表（2026 年 7—9 月缺记录）照片说明。")
        video = script.file("onsite", "inspector", "av_records", "现场检查执法记录仪视频说明.txt",
                            "演示数据：现场检查全程录像，时长 42 分钟。")
        step("onsite", "inspector", {
            "credentials_shown": True, "purpose_stated": True, "checked_on": day, "start_time": "09:30",
            "end_time": "10:40", "present_person": "王某（演示）", "present_position": "办公室主任",
            "recorder": "示档执2026002",
            "findings": [{"area": "storage", "situation": "库房温湿度记录 2026 年 7—9 月缺失，除湿机故障未报修",
                          "problem": True},
                         {"area": "management", "situation": "归档范围和保管期限表齐全，整理规范", "problem": False}],
            "evidence": photos, "av_records": video, "inquiry_needed": False}, hours=3)
        step("officer_eval", "inspector", {"officer_opinion": "库房管理存在问题，应责令限期改正。"}, hours=1)
        step("expert_eval", "expert", {"expert_opinion": "同意执法人员意见；建议更换除湿设备并每日记录温湿度。"},
             hours=1)
        step("feedback", "inspector", {"outcome": "problems", "feedback_given": True,
                                       "feedback_summary": "当场反馈：库房温湿度记录不全，除湿设备故障，限期整改。"})
        step("order_rect", "inspector", {"rect_basis": "《中华人民共和国档案法》第二十三条",
                                         "problems": [{"problem": "库房温湿度记录不全", "days": 10},
                                                      {"problem": "除湿机故障未维修", "days": 10}]}, hours=24 * 9)
        report = script.file("record_report", "supervision", "report_files", "整改报告（演示）.txt",
                             "演示数据：已维修除湿机，建立温湿度每日记录制度，附 10 日记录。")
        step("record_report", "supervision", {"report_summary": "单位报送整改报告：除湿机已维修，温湿度每日记录。",
                                              "report_files": report}, hours=48)
        step("recheck", "inspector", {"accepted": True, "recheck_notes": "现场复查：整改到位，予以验收。"})
    finally:
        set_clock(None)
    return True


REVIEW_ELEMENTS = ("subject", "qualification", "facts", "evidence", "law", "discretion", "procedure", "overreach",
                   "documents", "crime", "other")


class _Stop(Exception):
    """Raised to leave a demo case open at a given task."""


def seed_closed_penalty_case(users: dict[str, User], storage: Path | None, subject: str = DEMO_CLOSED_PENALTY_SUBJECT,
                             stop_at: str | None = None, days_ago: int = 45) -> bool:
    """A major fine on an archives service company: filing, investigation, legal review (revise, then agree),
    prior notice, decision, service, payment and closure (or left open at `stop_at`)."""
    if db.session.scalar(select(Case.id).where(Case.subject == subject)) is not None:
        return False
    start = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    clock = {"now": start}
    set_clock(lambda: clock["now"])
    try:
        case = cases.start_case(users["legal"], "case_handling", subject, {"source": "complaint"})
        script = _Script(case, start, storage, users)

        def step(element: str, user: str, data: dict[str, Any], hours: float = 26) -> None:
            if element == stop_at:
                raise _Stop
            script.do(element, user, data, hours)
            clock["now"] = script.now

        script.tick(1)
        clock["now"] = script.now
        clue = script.file("file", "legal", "clue_files", "举报材料（演示）.txt",
                           "演示数据：群众举报某档案服务有限公司将委托整理的文书档案作废纸处理。")
        step("file", "legal", {
            "party_name": "某档案服务有限公司（演示）", "party_type": "service_company", "source": "complaint",
            "party_credit_code": "91999999MA0000001X", "party_legal_rep": "赵某（演示）",
            "party_address": "示例市演示路 8 号",
            "facts": "群众举报该公司在受托整理档案期间，擅自销毁委托单位应当归档的文件材料。",
            "legal_basis": "《中华人民共和国档案法》第四十八条第（一）项、第四十九条",
            "investigators": [{"name": "执法人员01（演示）", "certificate_no": "示档执2026001"},
                              {"name": "执法人员02（演示）", "certificate_no": "示档执2026002"}],
            "clue_files": clue}, hours=4)
        step("approve_filing", "leader", {"filing_decision": "approve", "filing_opinion": "同意立案，抓紧调查。"})
        day = script.tick(0)
        evidence = script.file("investigate", "inspector", "evidence_files", "销毁记录复印件（演示）.txt",
                               "演示数据：2026 年 9 月销毁清单复印件，共 216 件。")
        step("investigate", "inspector", {
            "inquiry_person": "张某（演示）", "inquiry_position": "项目负责人", "inquiry_date": day,
            "inquiry_gender": "female", "inquiry_id_no": "110105198502021234", "inquiry_phone": "0999-1234567",
            "inquiry_relation": "当事人项目负责人", "inquiry_start": "14:00", "inquiry_end": "15:10",
            "inquiry_place": "示例市档案局询问室（演示）", "recorder": "示档执2026002",
            "inquiry_qa": [{"question": "委托整理的文件材料现在何处？", "answer": "216 件按公司安排销毁了。"},
                           {"question": "销毁前是否经委托单位同意？", "answer": "没有。"}],
            "evidence_items": [{"name": "销毁清单复印件", "source": "当事人提供", "proves": "销毁的时间和数量"},
                               {"name": "委托整理合同", "source": "委托单位提供", "proves": "受托关系和保管责任"}],
            "evidence_files": evidence, "preservation_needed": False}, hours=24 * 5)
        report = {"found_facts": "2026 年 9 月，当事人在受托整理档案期间擅自销毁应当归档的文件材料 216 件。",
                  "evidence_summary": "询问笔录、销毁清单复印件、委托整理合同。", "decision_type": "fine",
                  "fine_amount": 150000, "beyond_discretion": False,
                  "discretion_reason": "销毁数量较大，但当事人初次违法、配合调查",
                  "decision_basis": "《中华人民共和国档案法》第四十九条第二款"}
        step("report", "inspector", {**report, "evidence_summary": "询问笔录、销毁清单复印件。"}, hours=48)
        ok = {f"el_{k}": "ok" for k in REVIEW_ELEMENTS}
        step("review", "legal", {**ok, "el_evidence": "problem", "review_outcome": "revise",
                                 "review_opinion": "证据不够充分：请补充委托整理合同，证明当事人的保管责任。"},
             hours=72)
        step("report", "inspector", report, hours=48)
        step("review", "legal", {**ok, "review_outcome": "agree",
                                 "review_opinion": "事实清楚，证据确凿，适用法律正确，裁量适当，程序合法，同意。"})
        day = script.tick(0)
        step("prior_notice", "legal", {"notice_served_on": day}, hours=24 * 6)
        step("party_response", "legal", {"statement": "当事人表示认识到错误，未提出陈述申辩，不要求听证。",
                                         "hearing_requested": False})
        day = script.tick(0)
        step("decide", "leader", {"decision_approved": True, "decision_date": day})
        day = script.tick(0)
        step("serve", "legal", {"service_method": "direct", "served_on": day, "service_time": "10:00",
                           "service_place": "当事人住所（演示）", "servers": "执法人员01（演示）、执法人员02（演示）"},
             hours=24 * 10)
        day = script.tick(0)
        step("payment", "legal", {"paid_on": day, "amount_paid": 150000})
        step("close", "legal", {"execution_summary": "罚款已按期缴清，案件办结。"})
    except _Stop:
        pass
    finally:
        set_clock(None)
    return True
