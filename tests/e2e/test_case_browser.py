"""Case handling in Chromium: a major case with one "revise and resubmit" round of legal review, and a non-major
case, each from filing to closure, by the legal section, an inspector and a leader. Screenshots feed the guide."""

import io

import pytest
from docx import Document

from tests.e2e.conftest import open_task, screenshot, sign_in_as, submit_task

pytestmark = pytest.mark.browser
ELEMENTS = ("subject", "qualification", "facts", "evidence", "law", "discretion", "procedure", "overreach",
            "documents", "crime", "other")








def _review(page, case_url, outcome_index, opinion, shot=None):
    open_task(page, case_url, "法制审核")
    for key in ELEMENTS:
        page.check(f"[id='f.el_{key}-1']")
    page.check(f"[id='f.review_outcome-{outcome_index}']")
    page.fill("[id='f.review_opinion']", opinion)
    if shot:
        screenshot(page, shot)
    submit_task(page)


def _report(page, case_url, fine):
    open_task(page, case_url, "调查终结报告")
    page.fill("[id='f.found_facts']", "2027 年 3 月擅自销毁应当归档的文件材料 200 余件。")
    page.fill("[id='f.evidence_summary']", "询问笔录、销毁记录、现场照片。")
    page.check("[id='f.decision_type-1']")
    page.fill("[id='f.fine_amount']", str(fine))
    page.check("[id='f.beyond_discretion-2']")
    page.fill("[id='f.discretion_reason']", "当事人初次违法，积极配合调查。")
    page.fill("[id='f.decision_basis']", "《中华人民共和国档案法》第四十九条")
    submit_task(page)


@pytest.mark.parametrize(("fine", "major"), [(100000, True), (30000, False)], ids=["major", "non-major"])
def test_case_to_closure(browser, live_server, fine, major):
    legal = sign_in_as(browser, live_server, "demo.legal")
    leader = sign_in_as(browser, live_server, "demo.leader")
    inspector = sign_in_as(browser, live_server, "demo.inspector")
    legal.goto(f"{live_server}/cases/new")
    legal.select_option("#process_id", "case_handling")
    legal.fill("#subject", f"某档案服务公司违法销毁档案案（{'重大' if major else '一般'}，演示）")
    legal.click("main button[type=submit]")
    legal.wait_for_selector("[data-testid=case-tasks]")
    case_url = legal.url

    open_task(legal, case_url, "填写立案审批表")
    legal.fill("[id='f.party_name']", "某档案服务有限公司（演示）")
    legal.check("[id='f.party_type-1']")
    legal.select_option("[id='f.source']", "complaint")
    legal.fill("[id='f.facts']", "群众举报该公司擅自销毁档案。")
    legal.fill("[id='f.legal_basis']", "《中华人民共和国档案法》第四十八条、第四十九条")
    legal.fill("[id='f.party_credit_code']", "91999999MA0000001X")
    legal.fill("[id='f.party_legal_rep']", "赵某（演示）")
    legal.fill("[id='f.party_address']", "示例市演示路 8 号")
    legal.select_option("[id='f.investigators.0.certificate_no']", "示档执2026001")  # picked from the directory
    legal.click("button[name=_add_row][value=investigators]")
    legal.wait_for_selector("[id='f.investigators.1.certificate_no']")
    legal.select_option("[id='f.investigators.1.certificate_no']", "示档执2026002")
    submit_task(legal)

    open_task(leader, case_url, "局领导审批立案")
    leader.check("[id='f.filing_decision-1']")
    leader.fill("[id='f.filing_opinion']", "同意立案，由执法人员01、02承办。")
    submit_task(leader)

    open_task(inspector, case_url, "调查取证")
    inspector.fill("[id='f.inquiry_person']", "张某（演示）")
    inspector.check("[id='f.inquiry_gender-2']")
    inspector.fill("[id='f.inquiry_id_no']", "110105198502021234")
    inspector.fill("[id='f.inquiry_position']", "行政主管")
    inspector.fill("[id='f.inquiry_phone']", "0999-1234567")
    inspector.fill("[id='f.inquiry_relation']", "当事人员工")
    inspector.fill("[id='f.inquiry_date']", "2027-04-01")
    inspector.fill("[id='f.inquiry_start']", "14:00")
    inspector.fill("[id='f.inquiry_end']", "15:10")
    inspector.fill("[id='f.inquiry_place']", "示例市档案局询问室")
    inspector.select_option("[id='f.recorder']", "示档执2026002")
    inspector.fill("[id='f.inquiry_qa.0.question']", "应归档的文件材料去哪里了？")
    inspector.fill("[id='f.inquiry_qa.0.answer']", "按公司安排销毁了。")
    inspector.fill("[id='f.evidence_items.0.name']", "销毁记录")
    inspector.check("[id='f.preservation_needed-2']")
    submit_task(inspector)
    _report(inspector, case_url, fine)

    if major:
        _review(legal, case_url, 3, "罚款金额的裁量理由不充分，请补充后再送审。", shot="legal-review")
        _report(inspector, case_url, fine)  # resubmitted after revision
        _review(legal, case_url, 1, "经审核，同意。")

    open_task(legal, case_url, "行政处罚事先告知")
    legal.fill("[id='f.notice_served_on']", "2027-05-06")
    submit_task(legal)
    open_task(legal, case_url, "登记陈述申辩和听证申请")
    legal.fill("[id='f.statement']", "无")
    legal.check("[id='f.hearing_requested-2']")
    submit_task(legal)
    open_task(leader, case_url, "局领导作出处罚决定")
    leader.check("[id='f.decision_approved']")
    leader.fill("[id='f.decision_date']", "2027-05-20")
    submit_task(leader)
    open_task(legal, case_url, "送达")
    legal.check("[id='f.service_method-2']")  # 直接送达
    legal.fill("[id='f.served_on']", "2027-05-21")
    legal.fill("[id='f.service_time']", "10:00")
    legal.fill("[id='f.service_place']", "当事人住所")
    legal.fill("[id='f.servers']", "执法人员01（演示）、执法人员02（演示）")
    submit_task(legal)
    open_task(legal, case_url, "登记缴纳罚款")
    legal.fill("[id='f.paid_on']", "2027-06-01")
    legal.fill("[id='f.amount_paid']", str(fine))
    submit_task(legal)
    open_task(legal, case_url, "结案")
    legal.fill("[id='f.execution_summary']", "罚款已按期缴清。")
    submit_task(legal)

    legal.goto(case_url)
    assert "已办结" in legal.inner_text("h1")
    history = legal.inner_text("[data-testid=case-history]")
    assert ("法制审核" in history) == major
    screenshot(legal, f"case-closed-{'major' if major else 'regular'}")
    with legal.expect_download() as info:
        legal.click("[data-testid=case-documents] a:has-text('行政处罚决定书')")
    decision = Document(io.BytesIO(open(info.value.path(), "rb").read()))
    text = "\n".join(p.text for p in decision.paragraphs)
    assert "罚款人民币" in text and "六十日内" in text and "示档罚〔" in text and "91999999MA0000001X" in text
