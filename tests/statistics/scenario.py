"""A hand-counted year: three inspections (compliant, rectified in two rounds, transferred) and three enforcement
cases (from the transfer, a complaint fined 90,000 after a revised and an agreed legal review, a referral fined
12,000), driven through the real procedures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.auth.roles import Role
from app.clock import local_today, utcnow
from app.directories.models import Tier
from app.draws.services import draws
from app.extensions import db
from app.statistics.models import CaseFact
from app.statistics.services.figures import Period
from tests.cases import helpers as case_helpers
from tests.conftest import user_for
from tests.inspection.helpers import do, through_evaluation

TWO_PROBLEMS = {"findings": [{"area": "storage", "situation": "库房温湿度记录不全", "problem": True},
                             {"area": "management", "situation": "借阅登记缺失", "problem": True},
                             {"area": "staffing", "situation": "已配备专职档案员", "problem": False}]}


@dataclass
class Year:
    """The cases of the scenario and the period covering all of them."""

    compliant: int
    rectified: int
    transferred: int
    transferred_case: int
    complaint: int
    referral: int
    planned: list[int]
    period: Period


def _draw(ratio: str = "0.15") -> int:
    year = utcnow().year + 1
    tiers = list(db.session.scalars(select(Tier.id)))
    draw = draws.prepare(user_for(Role.SUPERVISION), {"year": year, "ratio": ratio, "tier_ids": tiers,
                                                      "period_start": f"{year}-03-01", "period_end": f"{year}-10-31"})
    draws.perform(user_for(Role.DISCIPLINE), draw, "615243")
    assert draws.confirm(user_for(Role.SUPERVISION), draw, "random_inspection") >= 4
    return draw.id


def period() -> Period:
    """This year and the next (the draw's year): every date of the scenario."""
    return Period(date(local_today().year, 1, 1), date(utcnow().year + 1, 12, 31))


def build() -> Year:
    draw_id = _draw()
    ids = list(db.session.scalars(select(CaseFact.case_id).where(CaseFact.draw_id == draw_id)
                                  .order_by(CaseFact.case_id)))
    assert len(ids) >= 4, ids
    a, b, c = ids[:3]
    through_evaluation(a)
    do(a, "feedback", Role.INSPECTOR, {"outcome": "compliant", "feedback_given": True, "feedback_summary": "好"})
    through_evaluation(b, TWO_PROBLEMS)
    do(b, "feedback", Role.INSPECTOR, {"outcome": "problems", "feedback_given": True, "feedback_summary": "整改"})
    do(b, "order_rect", Role.INSPECTOR, {"problems": [{"problem": "温湿度记录不全", "days": 10}],
                                         "rect_basis": "《中华人民共和国档案法》第二十三条"})
    do(b, "record_report", Role.SUPERVISION, {"report_summary": "第 1 轮整改报告"})
    do(b, "recheck", Role.INSPECTOR, {"accepted": False, "recheck_notes": "未到位", "new_days": 5})
    do(b, "record_report", Role.SUPERVISION, {"report_summary": "第 2 轮整改报告"})
    do(b, "recheck", Role.INSPECTOR, {"accepted": True, "recheck_notes": "到位"})
    through_evaluation(c)
    do(c, "feedback", Role.INSPECTOR, {"outcome": "violation", "feedback_given": True, "feedback_summary": "x"})
    do(c, "transfer", Role.INSPECTOR, {"transfer_facts": "擅自销毁档案", "transfer_basis": "《档案法》第四十八条"})
    do(c, "register_transfer", Role.LEGAL, {"received": True})
    d = db.session.get(CaseFact, c).transferred_case_id

    complaint = case_helpers.start()
    case_helpers.to_report(complaint)
    case_helpers.do(complaint, "report", Role.INSPECTOR, case_helpers.report(100000))
    case_helpers.do(complaint, "review", Role.LEGAL, {**case_helpers.REVIEW_OK, "review_outcome": "revise",
                                                      "review_opinion": "证据不足，请补充"})
    case_helpers.do(complaint, "report", Role.INSPECTOR, case_helpers.report(90000, beyond=True))
    case_helpers.do(complaint, "review", Role.LEGAL, case_helpers.REVIEW_OK)

    referral = case_helpers.start()
    case_helpers.do(referral, "file", Role.LEGAL, {**case_helpers.FILE, "source": "referral"})
    case_helpers.do(referral, "approve_filing", Role.LEADER, {"filing_decision": "approve", "filing_opinion": "同意"})
    case_helpers.do(referral, "investigate", Role.INSPECTOR, case_helpers.INVESTIGATE)
    case_helpers.do(referral, "report", Role.INSPECTOR, case_helpers.report(12000))
    db.session.flush()
    return Year(a, b, c, d, complaint, referral, ids[3:], period())
