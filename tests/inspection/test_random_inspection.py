"""The random-inspection procedure end to end through the services, on the repository's BPMN."""

import io
from datetime import datetime, timedelta

import pytest
from docx import Document as read_docx
from sqlalchemy import select

from app.auth.roles import Role
from app.clock import set_clock
from app.directories.models import InspectionResult
from app.documents.models import Document
from app.documents.services.documents import regenerate
from app.errors import ValidationFailed
from app.extensions import db
from app.workflow.cli import run_due_timers
from app.workflow.services import cases
from tests.conftest import user_for
from tests.inspection.helpers import (
    INQUIRY,
    ONSITE,
    do,
    onsite,
    plan,
    ready,
    recorder,
    start_inspection,
    through_evaluation,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _documents(case_id):
    return {d.doc_type: d for d in db.session.scalars(select(Document).where(Document.case_id == case_id)
                                                      .order_by(Document.id))}


def _text(document):
    parsed = read_docx(io.BytesIO(document.content))
    body = "\n".join(p.text for p in parsed.paragraphs)
    cells = "\n".join(c.text for t in parsed.tables for r in t.rows for c in r.cells)
    footer = "\n".join(p.text for p in parsed.sections[0].footer.paragraphs)
    return parsed, body + "\n" + cells, footer


def test_compliant_inspection_records_its_result_and_documents():
    case_id = start_inspection()
    assert [t.element_id for t in ready(case_id)] == ["plan"]
    through_evaluation(case_id)
    do(case_id, "feedback", Role.INSPECTOR, {"outcome": "compliant", "feedback_given": True,
                                             "feedback_summary": "未发现违法行为"})
    case = cases.get_case(case_id)
    assert case.status == "completed"
    data = cases.case_data(case)
    result = db.session.scalar(select(InspectionResult).where(InspectionResult.case_id == case_id))
    assert result.object_id == data["object_id"] and result.outcome == "compliant"
    documents = _documents(case_id)
    assert set(documents) == {"inspection_notice", "onsite_record"}
    _parsed, text, _footer = _text(documents["inspection_notice"])
    assert data["object_name"] in text and "档案库房、设施设备" in text
    assert documents["inspection_notice"].number in text


def test_onsite_needs_credentials_purpose_and_av_or_a_reason():
    case_id = start_inspection()
    plan(case_id)
    bad = {**ONSITE, "credentials_shown": False, "recorder": recorder(case_id)}
    bad.pop("av_missing_reason")
    with pytest.raises(ValidationFailed) as caught:
        do(case_id, "onsite", Role.INSPECTOR, bad)
    assert {"credentials_shown", "av_missing_reason"} <= set(caught.value.errors)


def test_transcripts_have_a_signature_line_on_every_page_and_the_closing_words():
    case_id = start_inspection()
    plan(case_id)
    onsite(case_id, inquiry_needed=True)
    do(case_id, "inquiry", Role.INSPECTOR, {**INQUIRY, "inquiry_date": "2027-03-05", "recorder": recorder(case_id)})
    documents = _documents(case_id)
    for kind in ("onsite_record", "inquiry_record"):
        parsed, text, footer = _text(documents[kind])
        assert "签名" in footer and "以上笔录我看过，与我说的相符" in text
        even = "\n".join(p.text for p in parsed.sections[0].even_page_footer.paragraphs)
        assert "签名" in even and "—" in even  # every page: odd and even footers
        title = parsed.paragraphs[1].runs[0]  # under the issuing body's name
        assert title.font.size.pt == 22 and title._element.rPr.rFonts.get(f"{W}eastAsia") == "方正小标宋简体"
    assert "温湿度记录在哪里" in _text(documents["inquiry_record"])[1]
    assert [t.element_id for t in ready(case_id)] == ["officer_eval", "expert_eval"]


def test_twenty_rectification_rounds_then_acceptance():
    case_id = start_inspection()
    through_evaluation(case_id)
    do(case_id, "feedback", Role.INSPECTOR, {"outcome": "problems", "feedback_given": True, "feedback_summary": "整改"})
    do(case_id, "order_rect", Role.INSPECTOR, {"problems": [{"problem": "温湿度记录不全", "days": 10}],
                                               "rect_basis": "《中华人民共和国档案法》第二十三条"})
    for round_number in range(1, 22):
        do(case_id, "record_report", Role.SUPERVISION, {"report_summary": f"第 {round_number} 轮整改报告"})
        last = round_number == 21
        do(case_id, "recheck", Role.INSPECTOR, {"accepted": last, "recheck_notes": "复查",
                                                **({} if last else {"new_days": 5})})
    case = cases.get_case(case_id)
    assert case.status == "completed" and cases.case_data(case)["rect_round"] == 21
    rechecks = [d for d in db.session.scalars(select(Document).where(Document.case_id == case_id,
                                                                     Document.doc_type == "recheck_record"))]
    assert len(rechecks) == 21 and len({d.number for d in rechecks}) == 21
    seqs = sorted(d.seq for d in rechecks)
    assert seqs == list(range(seqs[0], seqs[0] + 21))  # contiguous: never skipped
    order = _documents(case_id)["rectification_order"]
    assert "温湿度记录不全" in _text(order)[1]


def test_recheck_refusal_needs_a_new_deadline():
    case_id = start_inspection()
    through_evaluation(case_id)
    do(case_id, "feedback", Role.INSPECTOR, {"outcome": "problems", "feedback_given": True, "feedback_summary": "x"})
    do(case_id, "order_rect", Role.INSPECTOR, {"problems": [{"problem": "p", "days": 3}], "rect_basis": "第二十三条"})
    do(case_id, "record_report", Role.SUPERVISION, {"report_summary": "r"})
    with pytest.raises(ValidationFailed) as caught:
        do(case_id, "recheck", Role.INSPECTOR, {"accepted": False, "recheck_notes": "未到位"})
    assert "new_days" in caught.value.errors


def test_reminder_before_and_escalation_after_the_deadline():
    case_id = start_inspection()
    through_evaluation(case_id)
    do(case_id, "feedback", Role.INSPECTOR, {"outcome": "problems", "feedback_given": True, "feedback_summary": "x"})
    do(case_id, "order_rect", Role.INSPECTOR, {"problems": [{"problem": "p", "days": 5}], "rect_basis": "第二十三条"})
    db.session.commit()
    deadline = datetime.fromisoformat(cases.case_data(cases.get_case(case_id))["rect_deadline"]).replace(tzinfo=None)

    try:
        set_clock(lambda: deadline - timedelta(hours=1))
        run_due_timers()
        assert cases.case_data(cases.get_case(case_id))["rect_reminded"] is True
        assert "escalate" not in [t.element_id for t in ready(case_id)]
        set_clock(lambda: deadline + timedelta(hours=1))
        run_due_timers()
    finally:
        set_clock(None)
    assert sorted(t.element_id for t in ready(case_id)) == ["escalate", "record_report"]


def test_suspected_violation_is_transferred_to_the_legal_section():
    case_id = start_inspection()
    through_evaluation(case_id)
    do(case_id, "feedback", Role.INSPECTOR, {"outcome": "violation", "feedback_given": True, "feedback_summary": "x"})
    do(case_id, "transfer", Role.INSPECTOR, {"transfer_facts": "擅自销毁档案",
                                             "transfer_basis": "《档案法》第四十八条"})
    [register] = ready(case_id)
    assert register.element_id == "register_transfer" and register.role == "legal"
    assert "擅自销毁档案" in _text(_documents(case_id)["case_transfer"])[1]
    do(case_id, "register_transfer", Role.LEGAL, {"received": True})
    assert cases.get_case(case_id).status == "completed"


def test_regenerating_makes_a_new_version_and_keeps_the_old():
    case_id = start_inspection()
    plan(case_id)
    first = _documents(case_id)["inspection_notice"]
    second = regenerate(user_for(Role.INSPECTOR), first.id, cases.case_data(cases.get_case(case_id)))
    assert (second.number, second.version) == (first.number, 2) and db.session.get(Document, first.id) is not None


def test_results_report_numbers_the_circular_and_marks_results_for_publication(as_role):
    from app.draws.models import Draw
    from app.draws.services import draws

    case_id = start_inspection()
    through_evaluation(case_id)
    do(case_id, "feedback", Role.INSPECTOR, {"outcome": "compliant", "feedback_given": True, "feedback_summary": "好"})
    data = cases.case_data(cases.get_case(case_id))
    draw = db.session.get(Draw, data["draw_id"])
    document = draws.results_report(user_for(Role.SUPERVISION), draw)
    _parsed, text, _footer = _text(document)
    assert document.number in text and data["object_name"] in text and "未发现违法行为" in text
    assert "尚未完成检查" in text  # the other drawn objects are still being inspected
    row = next(r for r in draw.public_results if r["object"] == data["object_name"])
    assert set(row) == {"object", "credit_code", "date", "outcome"}  # no personal data
    draw_id, document_id, number = draw.id, document.id, document.number
    db.session.commit()
    page = as_role(Role.LEADER).get(f"/draws/{draw_id}").get_data(as_text=True)
    assert number in page
    assert as_role(Role.LEADER).get(f"/documents/draws/{draw_id}/{document_id}").status_code == 200
