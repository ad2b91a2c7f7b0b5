"""A whole random inspection in Chromium, as the different users: the draw is confirmed, the inspector plans and
checks on site, the inspector and the expert evaluate, a rectification is ordered, reported and accepted, and the
documents are downloaded and read back. Screenshots feed docs/guide-inspector.md."""

import io
import re

import pytest
from docx import Document

from tests.e2e.conftest import open_task, screenshot, sign_in_as, submit_task

pytestmark = pytest.mark.browser








def _docx_text(page, link_text):
    with page.expect_download() as info:
        page.click(f"[data-testid=case-documents] a:has-text('{link_text}')")
    document = Document(io.BytesIO(open(info.value.path(), "rb").read()))
    return "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells)


def test_a_whole_inspection_with_rectification(browser, live_server, tmp_path):
    supervision = sign_in_as(browser, live_server, "demo.supervision")
    supervision.goto(f"{live_server}/draws/new")
    # The draw browser test holds next year's annual draw (one per year and scope): this one is a special check.
    supervision.select_option("#scope", "special")
    supervision.fill("#ratio", "0.05")
    supervision.click("main button[type=submit]")
    supervision.wait_for_selector("[data-testid=nonce-hash]")
    draw_url = supervision.url
    witness = sign_in_as(browser, live_server, "demo.discipline")
    witness.goto(draw_url)
    witness.fill("#entropy", "5512346")
    witness.click("text=输入并抽取")
    witness.wait_for_selector("[data-testid=schedule]")
    supervision.goto(draw_url)
    supervision.click("text=确认结果并启动检查")
    assert "件检查案件" in supervision.inner_text(".alert-success")

    inspector = sign_in_as(browser, live_server, "demo.inspector")
    inspector.goto(f"{live_server}/tasks")
    screenshot(inspector, "inspector-inbox")
    inspector.locator("[data-testid=inbox] a", has_text="制定检查方案").last.click()
    inspector.wait_for_selector("[data-testid=task-form]")
    case_url = live_server + inspector.locator("nav.breadcrumb a, ol.breadcrumb a").nth(1).get_attribute("href")
    inspector.check("[id='f.key_areas-2']")
    inspector.check("[id='f.key_areas-4']")
    inspector.fill("[id='f.notice_date']", "2027-03-08")
    inspector.fill("[id='f.plan_notes']", "上午查阅制度文本，下午实地查看库房。")
    screenshot(inspector, "inspector-plan")
    submit_task(inspector)

    open_task(inspector, case_url, "现场检查")
    inspector.check("[id='f.credentials_shown']")
    inspector.check("[id='f.purpose_stated']")
    inspector.fill("[id='f.checked_on']", "2027-03-08")
    inspector.fill("[id='f.start_time']", "09:30")
    inspector.fill("[id='f.end_time']", "11:45")
    inspector.fill("[id='f.present_person']", "王某（演示）")
    inspector.fill("[id='f.present_position']", "办公室主任")
    inspector.select_option("[id='f.recorder']", index=1)  # one of the team
    inspector.select_option("[id='f.findings.0.area']", "storage")
    inspector.fill("[id='f.findings.0.situation']", "库房温湿度记录自 2026 年 10 月起缺失。")
    inspector.select_option("[id='f.findings.0.problem']", "true")
    photo = tmp_path / "库房照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"demo photo" * 50)
    inspector.set_input_files("[id='f.evidence']", str(photo))
    inspector.fill("[id='f.av_missing_reason']", "执法记录仪电量耗尽，已拍照记录。")
    inspector.check("[id='f.inquiry_needed-2']")
    screenshot(inspector, "inspector-onsite")
    submit_task(inspector)

    open_task(inspector, case_url, "执法人员评议")
    inspector.fill("[id='f.officer_opinion']", "库房管理不规范，应责令整改。")
    submit_task(inspector)
    expert = sign_in_as(browser, live_server, "demo.expert")
    open_task(expert, case_url, "专家评议")
    expert.fill("[id='f.expert_opinion']", "同意，建议加装温湿度自动记录设备。")
    submit_task(expert)

    open_task(inspector, case_url, "检查结论与现场反馈")
    inspector.check("[id='f.outcome-2']")
    inspector.check("[id='f.feedback_given']")
    inspector.fill("[id='f.feedback_summary']", "已向单位负责人反馈检查发现的问题。")
    submit_task(inspector)
    open_task(inspector, case_url, "责令限期改正")
    inspector.fill("[id='f.problems.0.problem']", "补齐温湿度记录，建立日常登记制度")
    inspector.fill("[id='f.problems.0.days']", "10")
    inspector.fill("[id='f.rect_basis']", "《中华人民共和国档案法》第二十三条")
    submit_task(inspector)

    open_task(supervision, case_url, "登记单位整改报告")
    supervision.fill("[id='f.report_summary']", "已补齐记录并加装自动记录仪。")
    submit_task(supervision)
    open_task(inspector, case_url, "整改复查")
    inspector.check("[id='f.accepted-1']")
    inspector.fill("[id='f.recheck_notes']", "现场复查，整改到位。")
    submit_task(inspector)

    inspector.goto(case_url)
    assert "已办结" in inspector.inner_text("h1")
    screenshot(inspector, "inspector-case-documents")
    notice = _docx_text(inspector, "检查通知书")
    assert re.search(r"示档检通〔\d{4}〕\d+号", notice) and "档案库房、设施设备" in notice
    onsite = _docx_text(inspector, "现场检查笔录")
    assert "库房温湿度记录自 2026 年 10 月起缺失" in onsite and "执法记录仪电量耗尽" in onsite
    order = _docx_text(inspector, "责令限期改正通知书")
    assert re.search(r"示档责改〔\d{4}〕\d+号", order) and "补齐温湿度记录" in order
    recheck = _docx_text(inspector, "整改复查记录")
    assert "整改到位，予以验收" in recheck
