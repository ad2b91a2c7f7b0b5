"""Case handling with legal review of major decisions, on the repository's BPMN, DMN and forms."""

import io
import shutil
from pathlib import Path

import pytest
from docx import Document as read_docx
from sqlalchemy import select

from app.auth.roles import Role
from app.documents.models import Document
from app.errors import PermissionDenied, ValidationFailed
from app.extensions import db
from app.workflow.models import LegalReview
from app.workflow.services import cases, definitions
from app.workflow.services.engine_errors import EngineError
from app.workflow.services.legal_review import LegalReviewRequired, is_major
from tests.cases.helpers import REVIEW_OK, SERVE, do, ready, report, start, to_report
from tests.conftest import user_for

ROOT = Path(__file__).resolve().parents[2]


def _doc_text(case_id, doc_type):
    document = db.session.scalars(select(Document).where(Document.case_id == case_id, Document.doc_type == doc_type)
                                  .order_by(Document.id.desc())).first()
    parsed = read_docx(io.BytesIO(document.content))
    return document, "\n".join(p.text for p in parsed.paragraphs) + "\n".join(
        c.text for t in parsed.tables for r in t.rows for c in r.cells)


def _after_decision(case_id, fine_paid_late_days=0):
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
    do(case_id, "decide", Role.LEADER, {"decision_approved": True, "decision_date": "2027-05-20"})
    do(case_id, "serve", Role.LEGAL, SERVE)


def test_non_major_case_to_closure_with_its_documents():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(20000))
    assert ready(case_id) == ["prior_notice"]  # not major: straight to the prior notice
    _after_decision(case_id)
    do(case_id, "payment", Role.LEGAL, {"paid_on": "2027-06-10", "amount_paid": 20000})
    data = cases.case_data(cases.get_case(case_id))
    assert data["late_days"] == 5 and data["late_penalty"] == 3000.0  # 20,000 × 3 % × 5 days
    assert data["outstanding"] == 3000.0 and ready(case_id) == ["demand"]  # not closed while the penalty is owed
    do(case_id, "demand", Role.LEGAL, {"demand_date": "2027-06-11"})
    _document, demand = _doc_text(case_id, "demand_notice")
    assert "人民币叁仟元整（¥3,000.00）" in demand and "强制执行" in demand
    do(case_id, "payment", Role.LEGAL, {"paid_on": "2027-06-10", "amount_paid": 3000})
    do(case_id, "close", Role.LEGAL, {"execution_summary": "罚款及加处罚款已缴清"})
    assert cases.get_case(case_id).status == "completed"
    kinds = {d.doc_type for d in db.session.scalars(select(Document).where(Document.case_id == case_id))}
    assert kinds == {"filing_approval", "inquiry_record", "evidence_list", "investigation_report", "prior_notice",
                     "penalty_decision", "service_receipt", "demand_notice", "closure_report"}
    _document, decision = _doc_text(case_id, "penalty_decision")
    assert "六十日内向示例市人民政府申请行政复议" in decision and "六个月内直接向示例市示例区人民法院" in decision
    assert "罚款人民币贰万元整（¥20,000.00）" in decision and "91999999MA0000001X" in decision
    assert "示例市演示路 8 号" in decision and "二〇二七年五月二十日" in decision
    assert not db.session.scalars(select(LegalReview).where(LegalReview.case_id == case_id)).first()


def test_major_case_with_one_revise_round_then_agreement():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(100000))
    assert "review" in ready(case_id)
    do(case_id, "review", Role.LEGAL, {**REVIEW_OK, "review_outcome": "revise", "review_opinion": "证据不足，请补充"})
    assert "report" in ready(case_id)
    do(case_id, "report", Role.INSPECTOR, report(90000, beyond=True))
    do(case_id, "review", Role.LEGAL, REVIEW_OK)
    assert "prior_notice" in ready(case_id)
    _document, opinion = _doc_text(case_id, "legal_review_opinion")
    assert "证据是否确凿充分" in opinion and "同意" in opinion
    outcomes = list(db.session.scalars(select(LegalReview.outcome).where(LegalReview.case_id == case_id)
                                       .order_by(LegalReview.id)))
    assert outcomes == ["revise", "agree"]


def test_two_disagreements_go_to_collective_discussion():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(100000))
    do(case_id, "review", Role.LEGAL, {**REVIEW_OK, "review_outcome": "disagree", "review_opinion": "事实不清"})
    do(case_id, "report", Role.INSPECTOR, report(100000))
    do(case_id, "review", Role.LEGAL, {**REVIEW_OK, "review_outcome": "disagree", "review_opinion": "仍不同意"})
    assert "collective" in ready(case_id)
    do(case_id, "collective", Role.LEADER, {"discussion_date": "2027-05-01", "chair": "孙局长",
                                            "discussion_place": "局三楼会议室", "discussion_recorder": "钱某",
                                            "participants": "班子成员", "discussion": "同意作出处罚",
                                            "collective_proceed": True})
    assert "prior_notice" in ready(case_id)


def test_reviewer_needs_legal_qualification():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(100000))
    unqualified = user_for(Role.LEGAL)
    unqualified.legal_qualified = False
    with pytest.raises(PermissionDenied, match="法律职业资格"):
        do(case_id, "review", Role.LEGAL, REVIEW_OK)


def test_catalog_decides_what_is_major():
    case = cases.get_case(start())
    assert is_major(case, {"decision_type": "fine", "party_type": "person", "fine_amount": 10000,
                           "beyond_discretion": False})
    assert not is_major(case, {"decision_type": "fine", "party_type": "person", "fine_amount": 9999,
                               "beyond_discretion": False})
    assert is_major(case, {"decision_type": "fine", "party_type": "unit", "fine_amount": 100000,
                           "beyond_discretion": False})
    assert is_major(case, {"decision_type": "sanction", "party_type": "unit", "fine_amount": 0,
                           "beyond_discretion": True})


def test_fine_outside_article_49_is_refused_with_the_range():
    case_id = start()
    to_report(case_id)
    with pytest.raises(EngineError, match="10000–100000"):
        do(case_id, "report", Role.INSPECTOR, report(5000))


def test_hearing_needs_seven_days_notice():
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(20000))
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "要求听证", "hearing_requested": True})
    from datetime import timedelta

    from app.clock import utcnow

    with pytest.raises(ValidationFailed) as caught:
        do(case_id, "hearing_notice", Role.LEGAL, {"hearing_date": (utcnow().date() + timedelta(days=3)).isoformat(),
                                                   "hearing_time": "09:00", "hearing_place": "第一会议室",
                                                   "hearing_host": "李法制", "hearing_clerk": "钱某"})
    assert "7 日以后" in caught.value.errors["hearing_date"][0]


def test_a_tampered_diagram_that_skips_the_review_cannot_decide(tmp_path):
    folder = tmp_path / "tampered"
    shutil.copytree(ROOT / "processes", folder)
    bpmn = folder / "case_handling.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    # every case goes straight past the legal review, whatever the catalog says
    text = text.replace('targetRef="legal_review"><bpmn:conditionExpression>major == True',
                        'targetRef="legal_review"><bpmn:conditionExpression>major == "never"')
    bpmn.write_text(text, encoding="utf-8")
    created = definitions.load_folder(None, folder, ROOT / "forms")
    assert any(d.process_id == "case_handling" for d in created)
    case_id = start()
    to_report(case_id)
    do(case_id, "report", Role.INSPECTOR, report(100000))  # major, but the edited diagram skips the review
    assert "review" not in ready(case_id)
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
    with pytest.raises(LegalReviewRequired, match="未经法制审核通过"):
        do(case_id, "decide", Role.LEADER, {"decision_approved": True, "decision_date": "2027-05-20"})
    db.session.rollback()
    assert not db.session.scalars(select(Document).where(Document.case_id == case_id,
                                                         Document.doc_type == "penalty_decision")).first()


def test_inspection_transfer_opens_a_case_carrying_its_records():
    from tests.inspection.helpers import do as inspect
    from tests.inspection.helpers import start_inspection, through_evaluation

    inspection_id = start_inspection()
    through_evaluation(inspection_id)
    inspect(inspection_id, "feedback", Role.INSPECTOR, {"outcome": "violation", "feedback_given": True,
                                                        "feedback_summary": "涉嫌违法"})
    inspect(inspection_id, "transfer", Role.INSPECTOR, {"transfer_facts": "擅自销毁档案",
                                                        "transfer_basis": "第四十八条"})
    inspect(inspection_id, "register_transfer", Role.LEGAL, {"received": True})
    from app.workflow.models import Case

    new_case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    data = cases.case_data(new_case)
    assert new_case.definition.process_id == "case_handling"
    assert data["source"] == "inspection" and data["inspection_case_id"] == inspection_id
    assert data["facts"] == "擅自销毁档案" and any(d["type"] == "onsite_record" for d in data["inspection_documents"])
    assert "file" in ready(new_case.id)
