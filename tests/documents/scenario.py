"""Every document type, issued by the real procedures: two inspections and four cases as the demo users.

Each document is kept with the `Issue` it was rendered from (re-prepared right after its step), so the rendering
test can look for every required field's value in the PDF text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from app.auth.roles import Role
from app.clock import local_today
from app.directories.models import Tier
from app.documents.models import Document
from app.documents.services.context import Issue
from app.documents.services.documents import prepare
from app.draws.models import Draw
from app.draws.services import draws, outputs
from app.extensions import db
from app.workflow.models import Task
from app.workflow.services import cases
from tests.cases import helpers as ch
from tests.conftest import user_for
from tests.inspection import helpers as ri


@dataclass
class Issued:
    """A stored document and what it was rendered from."""

    document: Document
    issue: Issue
    content: bytes


class Recorder:
    """Completes steps and keeps each new document with its issue."""

    def __init__(self) -> None:
        self.issued: dict[str, Issued] = {}
        self.seen: set[int] = set()

    def snap(self, case_id: int | None = None, draw_id: int | None = None) -> None:
        """Keep the documents issued since the last snapshot."""
        query = select(Document).where(Document.case_id == case_id if case_id else Document.draw_id == draw_id)
        for document in db.session.scalars(query.order_by(Document.id)):
            if document.id in self.seen:
                continue
            self.seen.add(document.id)
            data = cases.case_data(cases.get_case(case_id)) if case_id else self.draw_data
            actor = user_for(Role.LEGAL) if document.doc_type == "legal_review_opinion" else None
            issue = prepare(document.doc_type, data, number=document.number, case_id=case_id, actor=actor)
            self.issued.setdefault(document.doc_type, Issued(document, issue, document.content))

    def inspect(self, case_id: int, element: str, role: Role, data: dict[str, Any]) -> None:
        """An inspection step."""
        ri.do(case_id, element, role, data)
        self.snap(case_id)

    def case(self, case_id: int, element: str, role: Role, data: dict[str, Any]) -> None:
        """A case step."""
        ch.do(case_id, element, role, data)
        self.snap(case_id)

    draw_data: dict[str, Any] = {}


def _inspections(rec: Recorder) -> int:
    first = ri.start_inspection()
    ri.plan(first)
    rec.snap(first)
    ri.onsite(first, inquiry_needed=True)
    rec.snap(first)
    rec.inspect(first, "inquiry", Role.INSPECTOR, {**ri.INQUIRY, "inquiry_date": ri.case_values(first)["notice_date"],
                                                   "recorder": ri.recorder(first)})
    rec.inspect(first, "officer_eval", Role.INSPECTOR, {"officer_opinion": "库房管理存在问题"})
    rec.inspect(first, "expert_eval", Role.EXPERT, {"expert_opinion": "同意执法人员意见"})
    rec.inspect(first, "feedback", Role.INSPECTOR, {"outcome": "problems", "feedback_given": True,
                                                    "feedback_summary": "现场反馈：温湿度记录缺失"})
    rec.inspect(first, "order_rect", Role.INSPECTOR, {
        "problems": [{"problem": "档案库房未按规定记录温湿度", "days": 10},
                     {"problem": "档案利用登记不完整", "days": 5}],
        "rect_basis": "《中华人民共和国档案法》第二十三条"})
    rec.inspect(first, "record_report", Role.SUPERVISION, {"report_summary": "已配置温湿度计并建立记录台账"})
    rec.inspect(first, "recheck", Role.INSPECTOR, {"accepted": True, "recheck_notes": "温湿度记录完整，整改到位"})
    second = db.session.scalar(select(Task.case_id).where(Task.element_id == "plan", Task.state == "ready",
                                                          Task.case_id != first).order_by(Task.id))
    ri.through_evaluation(second)
    rec.snap(second)
    rec.inspect(second, "feedback", Role.INSPECTOR, {"outcome": "violation", "feedback_given": True,
                                                     "feedback_summary": "涉嫌擅自销毁档案"})
    rec.inspect(second, "transfer", Role.INSPECTOR, {"transfer_facts": "该单位 2026 年擅自销毁会计档案 30 卷",
                                                     "transfer_basis": "《中华人民共和国档案法》第四十八条第一项"})
    draw = db.session.get(Draw, ri.case_values(first)["draw_id"])
    report = draws.results_report(user_for(Role.SUPERVISION), draw)
    rec.draw_data = {"year": draw.year, "eligible": draw.result["eligible"], "rows": draw.public_results,
                     "selected": draw.result["selected_count"]}
    rec.snap(draw_id=report.draw_id)
    return draw.id


def _to_decision(rec: Recorder, report: dict[str, Any], review: bool = False) -> int:
    case_id = ch.start()
    rec.case(case_id, "file", Role.LEGAL, ch.FILE)
    rec.case(case_id, "approve_filing", Role.LEADER, {"filing_decision": "approve", "filing_opinion": "同意立案"})
    rec.case(case_id, "investigate", Role.INSPECTOR, ch.INVESTIGATE)
    rec.case(case_id, "report", Role.INSPECTOR, report)
    if review and "review" in ch.ready(case_id):
        rec.case(case_id, "review", Role.LEGAL, {**ch.REVIEW_OK, "review_opinion": "事实清楚，证据充分，同意"})
    return case_id


def _unpaid(rec: Recorder) -> None:
    """A fine nobody pays: the deadline timer raises the demand, the periods' end the application to the court."""
    case_id = _to_decision(rec, ch.report(20000))
    day = {n: (local_today() + timedelta(days=n)).isoformat() for n in (1, 20, 21)}
    rec.case(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": day[1]})
    rec.case(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
    rec.case(case_id, "decide", Role.LEADER, {"decision_approved": True, "decision_date": day[20]})
    rec.case(case_id, "serve", Role.LEGAL, {**ch.SERVE, "served_on": day[21]})
    served = local_today() + timedelta(days=21)
    ch.fire_timers_at(case_id, datetime.combine(served + timedelta(days=16), time(1)))
    demand_day = served + timedelta(days=17)
    rec.case(case_id, "demand", Role.LEGAL, {"demand_date": demand_day.isoformat()})
    end = date.fromisoformat(cases.case_data(cases.get_case(case_id))["pay_deadline"])
    ch.fire_timers_at(case_id, datetime.combine(end + timedelta(days=1), time(1)))
    rec.case(case_id, "enforce", Role.LEGAL, {
        "no_remedy_sought": True, "application_date": (end + timedelta(days=3)).isoformat(),
        "party_opinion": "被申请人收到催告书后未提出陈述、申辩，亦未缴纳罚款。",
        "enforcement_subject": "被申请人在示例银行开立的基本存款账户（账号 6222 0000 1234）"})
    rec.case(case_id, "close", Role.LEGAL, {"execution_summary": "已申请人民法院强制执行，待法院裁定"})


def _cases(rec: Recorder) -> None:
    fine = _to_decision(rec, ch.report(100000), review=True)
    day = {n: (local_today() + timedelta(days=n)).isoformat() for n in (1, 10, 20, 21, 30, 50)}
    rec.case(fine, "prior_notice", Role.LEGAL, {"notice_served_on": day[1]})
    rec.case(fine, "party_response", Role.LEGAL, {"statement": "要求听证", "hearing_requested": True})
    rec.case(fine, "hearing_notice", Role.LEGAL, {"hearing_date": day[10], "hearing_time": "09:30",
                                                  "hearing_place": "示例市档案局第一会议室", "hearing_host": "李法制",
                                                  "hearing_clerk": "钱书记"})
    rec.case(fine, "hearing", Role.LEGAL, {
        "hearing_start": "09:30", "hearing_end": "11:00", "hearing_attendees": "赵某（法定代表人）、孙律师（委托代理"
                                                                               "人）",
        "hearing_case_statement": "当事人擅自销毁文件材料，拟罚款十万元", "hearing_party_statement": "销毁系工作失误",
        "hearing_cross_exam": "当事人对销毁记录的真实性无异议", "hearing_final_statement": "请求从轻处罚"})
    rec.case(fine, "decide", Role.LEADER, {"decision_approved": True, "decision_date": day[20]})
    rec.case(fine, "serve", Role.LEGAL, {**ch.SERVE, "served_on": day[21], "service_method": "left",
                                         "service_witness": "周某（社区工作人员）",
                                         "refusal_reason": "当事人拒绝签收"})
    rec.case(fine, "payment", Role.LEGAL, {"paid_on": day[30], "amount_paid": 60000})
    owed = cases.case_data(cases.get_case(fine))["outstanding"]
    rec.case(fine, "payment", Role.LEGAL, {"paid_on": day[30], "amount_paid": owed})
    rec.case(fine, "close", Role.LEGAL, {"execution_summary": "罚款已全部缴清"})
    _unpaid(rec)
    collective = _to_decision(rec, ch.report(100000))
    for opinion in ("事实不清", "仍不同意"):
        rec.case(collective, "review", Role.LEGAL, {**ch.REVIEW_OK, "review_outcome": "disagree",
                                                    "review_opinion": opinion})
        if opinion == "事实不清":
            rec.case(collective, "report", Role.INSPECTOR, ch.report(100000))
    rec.case(collective, "collective", Role.LEADER, {
        "discussion_date": "2027-05-01", "discussion_place": "局三楼会议室", "chair": "孙局长",
        "participants": "孙局长、周副局长、法制科科长", "discussion_recorder": "钱某", "discussion": "同意作出处罚",
        "collective_proceed": True})
    day = {n: (local_today() + timedelta(days=n)).isoformat() for n in (1, 20)}
    for kind in ("no_penalty", "sanction"):
        case_id = _to_decision(rec, ch.report(0, decision_type=kind), review=kind == "sanction")
        rec.case(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": day[1]})
        rec.case(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
        rec.case(case_id, "decide", Role.LEADER, {"decision_approved": True, "decision_date": day[20]})


def issue_everything() -> tuple[dict[str, Issued], bytes]:
    """Run the procedures; return every document type with its issue, and the draw's schedule table (.docx)."""
    rec = Recorder()
    draw_id = _inspections(rec)
    _cases(rec)
    del draw_id
    _annual_report(rec)
    return rec.issued, outputs.schedule_docx(ten_team_draw())


def _annual_report(rec: Recorder) -> None:
    """The 三项制度 annual report of this year, issued from its draft (issue 14)."""
    from app.documents.services.bureau import get_bureau
    from app.statistics.services import reports

    actor = user_for(Role.SUPERVISION)
    report = reports.start(actor, local_today().year)
    document = reports.issue(actor, report)
    data = {"year": report.year, "sections": report.sections, "figures": reports.report_figures(report.year),
            "bureau_name": get_bureau().full_name}
    issue = prepare("annual_report", data, number=document.number, case_id=None, actor=actor)
    rec.issued.setdefault("annual_report", Issued(document, issue, document.content))


def ten_team_draw() -> Draw:
    """A performed draw of at least ten objects (for the schedule table).

    A special inspection: the year's annual draw (one per year and scope) is the inspections' own.
    """
    year = local_today().year + 1
    tiers = list(db.session.scalars(select(Tier.id)))
    draw = draws.prepare(user_for(Role.SUPERVISION), {"year": year, "scope": "special", "ratio": "0.2",
                                                      "tier_ids": tiers,
                                                      "period_start": f"{year}-03-01", "period_end": f"{year}-10-31"})
    draws.perform(user_for(Role.DISCIPLINE), draw, "615243")
    assert len(draw.schedule) >= 10
    return draw
