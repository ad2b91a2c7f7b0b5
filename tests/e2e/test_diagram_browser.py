"""In a real browser: the legal section opens a process version, sees the diagram drawn, clicks a user task and
reads its form, documents, time limit and role."""

import pytest

from tests.e2e.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser


def _open_version(page, base, name):
    page.goto(f"{base}/processes/")
    page.locator("table a", has_text=name).first.click()
    page.wait_for_selector("[data-testid=diagram][data-diagram-ready=true]")


def test_version_page_draws_the_diagram_and_explains_a_clicked_task(browser, live_server):
    page = sign_in_as(browser, live_server, "demo.legal")
    _open_version(page, live_server, "随机抽查")
    diagram = page.locator("[data-testid=diagram]").first
    # bpmn-js drew the shapes as SVG: tasks, lanes, flows
    assert diagram.locator("svg .djs-element").count() > 50
    assert diagram.locator("[data-element-id=plan]").count() == 1
    assert "检查组" not in page.locator("[data-testid=element-detail]").first.inner_text()
    diagram.locator("[data-element-id=plan] .djs-hit").first.click()
    detail = page.locator("[data-testid=element-detail]").first
    detail.wait_for(state="visible")
    text = detail.inner_text()
    assert "制定检查方案" in text and "人工任务" in text
    assert "检查通知书" in text  # document issued
    assert "10 个工作日内" in text  # due rule in words
    assert "执法检查人员" in text and "抽取确定的检查组成员" in text  # lane → role, assignees
    assert "必填" in text  # the form's field list
    assert page.locator("[data-element-id=plan].diagram-selected").count() == 1
    screenshot(page, "diagram-version-task-clicked")
    # a gateway further right: fit the whole diagram first, then click it
    page.locator("[data-diagram-action=fit]").first.click()
    diagram.locator("[data-element-id=gw_outcome] .djs-hit").first.click()
    page.wait_for_function("document.querySelector('[data-testid=element-detail]').dataset.elementId === 'gw_outcome'")
    text = detail.inner_text()
    assert "发现问题" in text and "责令限期改正" in text and "默认（其他情况）" in text
    # zoom buttons work
    before = diagram.locator(".viewport").first.get_attribute("transform")
    page.locator("[data-diagram-action=zoomIn]").first.click()
    assert diagram.locator(".viewport").first.get_attribute("transform") != before
    # the lane → role table and the step list (also readable without JavaScript)
    assert "专家" in page.locator("[data-testid=lane-roles]").first.inner_text()


def test_case_handling_version_shows_its_decision_table(browser, live_server):
    page = sign_in_as(browser, live_server, "demo.legal")
    _open_version(page, live_server, "行政处罚案件办理")
    assert page.locator("[data-testid=diagram][data-diagram-ready=true]").count() == 2  # the called review too
    table = page.locator("[data-decision=major_decision]")
    assert "≥ 10,000" in table.inner_text() and "罚款" in table.inner_text()
    table.scroll_into_view_if_needed()
    screenshot(page, "diagram-version-decision-table")
