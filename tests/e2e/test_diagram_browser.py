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


def test_legal_edits_the_decision_table_in_a_draft(browser, live_server):
    page = sign_in_as(browser, live_server, "demo.legal")
    _open_version(page, live_server, "行政处罚案件办理")
    page.click("[data-testid=new-draft]")
    page.wait_for_selector("[data-testid=draft-banner]")
    page.click("[data-testid=edit-decision]")
    page.wait_for_selector("[data-testid=dmn-editor]")
    page.fill("[id='r1.in2']", ">= 两万")
    page.fill("#reason", "依据新的裁量基准提高对公民罚款的重大标准")
    page.click("[data-testid=dmn-save]")
    errors = page.locator("[data-testid=dmn-errors]")
    assert "第 2 条规则" in errors.inner_text() and "应为数字" in errors.inner_text()
    assert page.input_value("#reason") == "依据新的裁量基准提高对公民罚款的重大标准"  # nothing typed is lost
    page.fill("[id='r1.in2']", ">= 20000")
    page.fill("[id='r1.desc']", "对公民罚款二万元以上")
    screenshot(page, "decision-table-editor")
    page.click("[data-testid=dmn-save]")
    page.wait_for_selector(".alert-success")
    table = page.locator("[data-decision=major_decision]")
    assert "≥ 20,000" in table.inner_text() and "对公民罚款二万元以上" in table.inner_text()


def test_legal_edits_a_form_with_live_preview(browser, live_server):
    page = sign_in_as(browser, live_server, "demo.legal")
    _open_version(page, live_server, "立案审批")
    page.click("[data-testid=new-draft]")
    page.wait_for_selector("[data-testid=draft-banner]")
    page.locator("[data-form=case_filing_approval] summary").click()
    page.click("[data-testid=edit-form-case_filing_approval]")
    page.wait_for_selector("[data-testid=form-editor]")
    page.click("[data-testid=add-field]")
    card = page.locator("[data-field-card]").last
    card.locator("input[name$='.label']").fill("审批依据")
    card.locator("input[name$='.name']").fill("basis")
    card.locator("select[name$='.kind']").select_option("select")
    assert card.locator("textarea[name$='.options']").is_visible()  # the kind's own settings appear
    card.locator("textarea[name$='.options']").fill("law|《档案法》\nrule|地方规章")
    # the live preview, rendered by the task page's renderer, follows the typing
    page.wait_for_function("document.querySelector('#form-preview').textContent.includes('地方规章')")
    assert page.locator("#form-preview select[name='f.basis']").count() == 1
    screenshot(page, "form-editor-live-preview")
    page.fill("#reason", "增加审批依据")
    page.click("[data-testid=form-save]")
    page.wait_for_selector(".alert-success")
    assert "审批依据" in page.locator("[data-form=case_filing_approval]").text_content()


def test_version_page_on_a_phone(browser, live_server):
    page = sign_in_as(browser, live_server, "demo.auditor")
    page.set_viewport_size({"width": 390, "height": 844})
    _open_version(page, live_server, "立案审批")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # nothing wider than the phone
    page.locator("[data-diagram-fallback] summary").first.click()
    assert "领导审批立案" in page.locator("[data-testid=steps]").first.inner_text()
    screenshot(page, "diagram-version-phone")


def test_legal_adds_a_column_to_a_table_field(browser, live_server):
    page = sign_in_as(browser, live_server, "demo.legal")
    _open_version(page, live_server, "行政处罚案件办理")
    if page.locator("[data-testid=new-draft]").count():
        page.click("[data-testid=new-draft]")
    page.wait_for_selector("[data-testid=draft-banner]")
    page.goto(page.url.split("#")[0] + "/forms/ch_file/edit")
    page.wait_for_selector("[data-testid=form-editor]")
    card = page.locator("[data-field-card]", has=page.locator("input[value='承办执法人员（至少两名）']"))
    card.locator("[data-testid^=add-column]").click()
    card = page.locator("[data-field-card]", has=page.locator("input[value='承办执法人员（至少两名）']"))
    card.locator("input[name$='.c2.label']").fill("所在单位")
    card.locator("input[name$='.c2.name']").fill("unit")
    page.wait_for_function("document.querySelector('#form-preview').textContent.includes('所在单位')")
    card.scroll_into_view_if_needed()
    screenshot(page, "form-editor-table-columns")
