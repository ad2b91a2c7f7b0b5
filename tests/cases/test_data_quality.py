"""Data quality at the source: what a step refuses so that documents cannot say nonsense."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.clock import local_today, to_local
from app.errors import ValidationFailed
from app.extensions import db
from app.workflow.models import Task
from app.workflow.services import cases
from tests.cases.helpers import FILE, REVIEW_OK, SERVE, do, ready, report, start, to_report
from tests.inspection import helpers as ri


def _errors(call):
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.errors


def test_investigators_are_picked_from_the_officer_directory():
    case_id = start()
    bad = {**FILE, "investigators": [{"certificate_no": "示档执2026001"}, {"certificate_no": "伪造证号0001"}]}
    errors = _errors(lambda: do(case_id, "file", Role.LEGAL, bad))
    assert "investigators.1.certificate_no" in errors
    do(case_id, "file", Role.LEGAL, FILE)
    names = [o["name"] for o in cases.case_data(cases.get_case(case_id))["investigators"]]
    assert names == ["执法人员01（演示）", "执法人员02（演示）"]  # from the directory, not typed


def test_the_filing_form_offers_certified_officers_only():
    case_id = start()
    task = db.session.scalar(select(Task).where(Task.case_id == case_id, Task.element_id == "file"))
    options = cases.form_schema(task)["properties"]["investigators"]["items"]["properties"]["certificate_no"]
    assert "示档执2026001" in options["enum"] and "执法人员01（演示）（示档执2026001）" in options["enumNames"]


def test_a_unit_party_needs_its_credit_code_and_address():
    case_id = start()
    data = {k: v for k, v in FILE.items() if k not in ("party_credit_code", "party_address")}
    assert {"party_credit_code", "party_address"} <= set(_errors(lambda: do(case_id, "file", Role.LEGAL, data)))


def test_planned_date_is_neither_past_nor_years_ahead():
    case_id = ri.start_inspection()
    for day in (local_today() - timedelta(days=1), local_today() + timedelta(days=400)):
        errors = _errors(lambda day=day: ri.do(case_id, "plan", Role.INSPECTOR,
                                               {"key_areas": ["storage"], "notice_date": day.isoformat()}))
        assert list(errors) == ["notice_date"]


def test_due_dates_count_from_the_scheduled_inspection_date():
    case_id = ri.start_inspection()
    planned = ri.case_values(case_id)["planned_date"]
    [plan] = ri.ready(case_id)
    due = to_local(plan.due_at)
    assert due.date() == date.fromisoformat(planned) - timedelta(days=3)  # not "now + 10 working days"
    assert due.strftime("%H:%M") == "23:59"  # the end of the bureau's day
    ri.plan(case_id)
    [onsite] = ri.ready(case_id)
    assert to_local(onsite.due_at).date().isoformat() == planned


def test_legal_review_cannot_agree_over_a_failed_element_without_a_reason():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(100000))
    failed = {**REVIEW_OK, "el_evidence": "problem"}
    assert list(_errors(lambda: do(case_id, "review", Role.LEGAL, failed))) == ["review_justification"]
    do(case_id, "review", Role.LEGAL, {**failed, "review_justification": "补充证据已到位，瑕疵不影响认定"})
    assert "prior_notice" in ready(case_id)


def test_hearing_host_is_not_an_investigator():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(20000))
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "要求听证", "hearing_requested": True})
    errors = _errors(lambda: do(case_id, "hearing_notice", Role.LEGAL, {
        "hearing_date": (local_today() + timedelta(days=10)).isoformat(), "hearing_time": "09:00",
        "hearing_place": "第一会议室", "hearing_host": "执法人员01（演示）", "hearing_clerk": "钱某"}))
    assert list(errors) == ["hearing_host"]


def test_payment_beyond_what_is_owed_is_refused_and_partial_payment_cannot_close():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(20000))
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
    do(case_id, "decide", Role.LEADER, {"decision_approved": True, "decision_date": "2027-05-20"})
    do(case_id, "serve", Role.LEGAL, SERVE)
    assert list(_errors(lambda: do(case_id, "payment", Role.LEGAL,
                                   {"paid_on": "2027-05-30", "amount_paid": 20000.01}))) == ["amount_paid"]
    assert list(_errors(lambda: do(case_id, "payment", Role.LEGAL,
                                   {"paid_on": "2027-05-01", "amount_paid": 100}))) == ["paid_on"]
    do(case_id, "payment", Role.LEGAL, {"paid_on": "2027-05-30", "amount_paid": 15000})
    assert ready(case_id) == ["payment"]  # cannot be closed as paid: within the period it waits for the rest
    do(case_id, "payment", Role.LEGAL, {"paid_on": "2027-06-01", "amount_paid": 5000})
    assert ready(case_id) == ["close"]


def test_left_at_address_service_needs_a_witness_and_the_refusal():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(20000))
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
    do(case_id, "decide", Role.LEADER, {"decision_approved": True, "decision_date": "2027-05-20"})
    errors = _errors(lambda: do(case_id, "serve", Role.LEGAL, {**SERVE, "service_method": "left"}))
    assert {"service_witness", "refusal_reason"} <= set(errors)


def test_field_messages_with_limits_are_translated(as_role):
    case_id = ri.start_inspection()
    task_id = ri.ready(case_id)[0].id
    db.session.commit()
    client = as_role(Role.INSPECTOR)
    client.post("/lang/en")
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    page = client.post(f"/tasks/{task_id}", data={"f.key_areas": "storage", "f.notice_date": yesterday})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and f"cannot be before today ({local_today().isoformat()})" in text
