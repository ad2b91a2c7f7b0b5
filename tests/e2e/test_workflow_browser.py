"""In a real browser: legal files a case, the leader returns it once, then approves; the auditor reads the history."""

import pytest

from app.demo.services import DEMO_CASE_SUBJECT
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def _sign_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=role-cards]")


def _open_task(page, base, name):
    """The demo filing case's task with this name, from the inbox (other demo cases have similar tasks)."""
    page.goto(f"{base}/tasks")
    row = page.locator("[data-testid=inbox] tr", has_text=DEMO_CASE_SUBJECT).filter(has_text=name)
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=task-form]")


def _fill_request(page, facts):
    page.fill("[id='f.party_name']", "某区档案馆（演示）")
    page.check("[id='f.party_type-1']")
    page.select_option("[id='f.source']", "inspection")
    page.fill("[id='f.discovered_on']", "2026-11-02")
    page.fill("[id='f.facts']", facts)
    page.fill("[id='f.legal_basis']", "《中华人民共和国档案法》第四十八条")


def test_case_filing_with_one_return_then_approval(browser, live_server):
    legal = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    leader = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    auditor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    _sign_in(legal, live_server, "demo.legal", "demo-legal-2026")
    _sign_in(leader, live_server, "demo.leader", "demo-leader-2026")
    _sign_in(auditor, live_server, "demo.auditor", "demo-auditor-2026")

    _open_task(legal, live_server, "填写立案审批表")
    screenshot(legal, "task-form-empty")
    legal.click("[data-testid=task-form] button[type=submit]:has-text('提交')")  # nothing filled: errors, no change
    assert "此项为必填项" in legal.content()
    screenshot(legal, "task-form-errors")
    _fill_request(legal, "库房温湿度长期未达标，部分档案霉变。")
    legal.click("[data-testid=task-form] button[type=submit]:has-text('提交')")
    legal.wait_for_selector(".alert-success")

    _open_task(leader, live_server, "领导审批立案")
    leader.check("[id='f.decision-2']")  # 退回补正
    leader.fill("[id='f.opinion']", "请补充违法事实的证据。")
    leader.click("[data-testid=task-form] button[type=submit]:has-text('提交')")
    leader.wait_for_selector(".alert-success")

    _open_task(legal, live_server, "填写立案审批表")
    assert legal.input_value("[id='f.facts']").startswith("库房温湿度")  # the returned form keeps what was filed
    legal.fill("[id='f.facts']", "库房温湿度长期未达标，部分档案霉变；已现场拍照取证。")
    legal.click("[data-testid=task-form] button[type=submit]:has-text('提交')")
    legal.wait_for_selector(".alert-success")

    _open_task(leader, live_server, "领导审批立案")
    leader.check("[id='f.decision-1']")  # 同意立案
    leader.fill("[id='f.opinion']", "同意立案。")
    leader.click("[data-testid=task-form] button[type=submit]:has-text('提交')")
    leader.wait_for_selector(".alert-success")

    auditor.goto(f"{live_server}/cases")
    auditor.click(f"a:has-text('{DEMO_CASE_SUBJECT}')")
    history = auditor.inner_text("[data-testid=case-history]")
    assert history.count("完成任务") == 4 and "孙局长（演示）" in history and "退回补正" not in history
    auditor.wait_for_selector("[data-case-diagram][data-diagram-ready=true]")
    assert auditor.locator("[data-element-id=mark_filed].diagram-completed").count() == 1  # the engine step
    assert "已办结" in auditor.inner_text("h1")
    screenshot(auditor, "case-history")
