"""Payment not made: the deadline timer raises the demand (催告), the demand period and the periods for
reconsideration and lawsuit raise the application to the court (强制执行申请书) — on the repository's diagram."""

import io
from datetime import date, datetime

import pytest
from docx import Document as read_docx
from sqlalchemy import select

from app.auth.roles import Role
from app.calendar.services import WorkingDays
from app.documents.models import Document
from app.errors import ValidationFailed
from app.extensions import db
from app.workflow.services import cases
from tests.cases.helpers import SERVE, do, fire_timers_at, ready, report, start, to_report


def _text(case_id, doc_type):
    document = db.session.scalars(select(Document).where(Document.case_id == case_id, Document.doc_type == doc_type)
                                  .order_by(Document.id.desc())).first()
    assert document is not None, doc_type
    parsed = read_docx(io.BytesIO(document.content))
    return document, "\n".join(p.text for p in parsed.paragraphs) + "\n".join(
        c.text for t in parsed.tables for r in t.rows for c in r.cells)


def _served(fine=20000):
    """A fine of `fine` decided 2027-05-20 and served 2027-05-21: payment due by 2027-06-05."""
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(fine))
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
    do(case_id, "decide", Role.LEADER, {"decision_approved": True, "decision_date": "2027-05-20"})
    do(case_id, "serve", Role.LEGAL, SERVE)
    return case_id


def _data(case_id):
    return cases.case_data(cases.get_case(case_id))


def test_nothing_paid_raises_the_demand_then_the_application_to_the_court():
    case_id = _served()
    assert ready(case_id) == ["payment"]
    data = _data(case_id)
    assert data["pay_due"] == "2027-06-05" and data["remedies_end"] == "2027-11-21"
    fire_timers_at(case_id, datetime(2027, 6, 5, 12, 0))  # 20:00 in Beijing on the last day: not yet
    assert "demand" not in ready(case_id) and "payment" in ready(case_id)
    fire_timers_at(case_id, datetime(2027, 6, 6, 1, 0))  # the next morning, nothing recorded
    assert "demand" in ready(case_id) and "payment" not in ready(case_id)
    data = _data(case_id)
    assert data["late_days"] == 1 and data["late_penalty"] == 600.0 and data["outstanding"] == 20600.0

    with pytest.raises(ValidationFailed) as caught:
        do(case_id, "demand", Role.LEGAL, {"demand_date": "2027-06-05"})
    assert "缴款期限（2027-06-05）届满之后" in caught.value.errors["demand_date"][0]
    do(case_id, "demand", Role.LEGAL, {"demand_date": "2027-06-07"})
    _document, demand = _text(case_id, "demand_notice")
    assert "未缴纳罚款" in demand and "人民币贰万零陆佰元整（¥20,600.00）" in demand
    assert "二〇二七年六月七日" in demand and "十日内" in demand
    data = _data(case_id)
    # ten WORKING days from Monday 7 June: two weekends skipped (calendar days would give 17 June)
    assert data["demand_deadline"] == WorkingDays().add_working_days(date(2027, 6, 7), 10).isoformat() == "2027-06-21"
    assert data["pay_deadline"] == "2027-11-21"  # the later of the demand period and the six months to sue
    assert "payment" in ready(case_id)  # the party may still pay
    assert cases.get_case(case_id).next_timer_at == datetime(2027, 11, 22, 0, 0)

    fire_timers_at(case_id, datetime(2027, 6, 22, 1, 0))  # demand period over, lawsuit period not: still waiting
    assert "enforce" not in ready(case_id)
    fire_timers_at(case_id, datetime(2027, 11, 22, 1, 0))
    assert "enforce" in ready(case_id) and "payment" not in ready(case_id)
    assert _data(case_id)["outstanding"] == 40000.0  # the late penalty is capped at the fine

    enforce = {"no_remedy_sought": False, "application_date": "2027-11-21",
               "party_opinion": "当事人收到催告书后未提出陈述申辩，亦未履行。",
               "enforcement_subject": "被申请人在示例银行开立的基本存款账户"}
    with pytest.raises(ValidationFailed) as caught:
        do(case_id, "enforce", Role.LEGAL, enforce)
    assert "不得申请人民法院强制执行" in caught.value.errors["no_remedy_sought"][0]
    assert "2027-11-21" in caught.value.errors["application_date"][0]
    do(case_id, "enforce", Role.LEGAL, {**enforce, "no_remedy_sought": True, "application_date": "2027-11-23"})
    document, application = _text(case_id, "enforcement_application")
    assert document.number.startswith("示档强申〔")
    decision = db.session.scalar(select(Document.number).where(Document.case_id == case_id,
                                                               Document.doc_type == "penalty_decision"))
    demand_no = db.session.scalar(select(Document.number).where(Document.case_id == case_id,
                                                                Document.doc_type == "demand_notice"))
    assert decision in application and demand_no in application
    assert "人民币肆万元整（¥40,000.00）" in application and "此致" in application
    assert "示例市示例区人民法院" in application and "未申请行政复议，也未提起行政诉讼" in application
    assert "二〇二七年十一月二十三日" in application and "第五十三条" in application
    assert ready(case_id) == ["close", "warn90"] or ready(case_id) == ["close"]
    do(case_id, "close", Role.LEGAL, {"execution_summary": "已申请人民法院强制执行，待法院裁定"})
    _document, closure = _text(case_id, "closure_report")
    assert "申请强制执行" in closure


def test_partial_payment_within_the_period_waits_then_the_timer_demands_the_rest():
    case_id = _served()
    do(case_id, "payment", Role.LEGAL, {"paid_on": "2027-06-01", "amount_paid": 5000})
    assert ready(case_id) == ["payment"]  # still within the fifteen days: no demand yet
    fire_timers_at(case_id, datetime(2027, 6, 6, 1, 0))
    assert "demand" in ready(case_id)
    assert _data(case_id)["outstanding"] == 15600.0  # 20,000 + 600 late penalty − 5,000 paid


def test_paying_in_full_after_the_demand_closes_without_the_court():
    case_id = _served()
    fire_timers_at(case_id, datetime(2027, 6, 6, 1, 0))
    do(case_id, "demand", Role.LEGAL, {"demand_date": "2027-06-07"})
    do(case_id, "payment", Role.LEGAL, {"paid_on": "2027-06-10", "amount_paid": 23000})  # 5 days late: 3,000
    assert "close" in ready(case_id) and "enforce" not in ready(case_id)
    assert cases.get_case(case_id).next_timer_at is None or "pay_overdue" not in str(_data(case_id))


def test_periods_in_months_end_on_the_same_day_or_the_last_day_of_a_shorter_month():
    from app.workflow.services.sandbox_child import add_months

    assert add_months(date(2027, 5, 21), 6) == date(2027, 11, 21)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)  # leap year
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)
