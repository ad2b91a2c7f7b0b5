"""In a real browser: county 甲县 runs its own draw and opens a case; the city leader supervises that case (挂牌督办),
sees it in the roll-up per county, and the county's legal section finds the progress report in its inbox."""

from datetime import timedelta

import pytest

from app.clock import local_today
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def _sign_in(browser, base, username, role):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", f"demo-{role}-2026")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=role-cards]")
    return page


def test_city_prepare_form_offers_a_joint_draw_with_its_counties(browser, live_server):
    city = _sign_in(browser, live_server, "demo.supervision", "supervision")
    city.goto(f"{live_server}/draws/new")
    joint = city.locator("[data-testid=joint]")
    assert "示例市甲县档案局" in joint.inner_text() and "示例市乙区档案局" in joint.inner_text()
    city.check("[aria-label='示例市甲县档案局 的执法人员参加']")
    city.check("[aria-label='示例市甲县档案局 的专家参加']")
    joint.scroll_into_view_if_needed()
    screenshot(city, "bureaus-joint-prepare")
    county = _sign_in(browser, live_server, "demo.jia.supervision", "supervision")
    county.goto(f"{live_server}/draws/new")
    assert county.locator("[data-testid=joint]").count() == 0  # a county has nobody below it to invite


def test_county_draw_and_case_then_city_supervises_and_sees_rollup(browser, live_server):
    county = _sign_in(browser, live_server, "demo.jia.supervision", "supervision")
    assert "示例市甲县档案局" in county.inner_text("footer")
    county.goto(f"{live_server}/draws/new")
    county.click("main button[type=submit]")
    county.wait_for_selector("[data-testid=nonce-hash]")
    draw_url = county.url
    witness = _sign_in(browser, live_server, "demo.jia.discipline", "discipline")
    witness.goto(draw_url)
    witness.fill("#entropy", "20261122")
    witness.click("text=输入并抽取")
    witness.wait_for_selector("[data-testid=schedule]")
    county.goto(draw_url)
    county.click("text=确认结果并启动检查")
    county.wait_for_selector(".alert-success")
    schedule = county.inner_text("[data-testid=schedule]")
    assert "甲县" in schedule and "示例市第" not in schedule  # only the county's own objects were drawn
    screenshot(county, "bureaus-county-draw")

    legal = _sign_in(browser, live_server, "demo.jia.legal", "legal")
    legal.goto(f"{live_server}/cases/new")
    legal.select_option("#process_id", "case_filing")
    subject = "甲县某单位擅自销毁档案案（浏览器测试）"
    legal.fill("#subject", subject)
    legal.click("main button[type=submit]")
    legal.wait_for_selector(".alert-success")
    case_url = legal.url

    leader = _sign_in(browser, live_server, "demo.leader", "leader")
    leader.goto(f"{live_server}/oversight/")
    rollup = leader.inner_text("[data-testid=rollup]")
    assert "示例市甲县档案局" in rollup and "示例市乙区档案局" in rollup and "合计" in rollup
    leader.click("[data-testid=rollup] >> text=示例市甲县档案局")
    leader.click(f"text={subject}")
    assert leader.url == case_url
    leader.click("main a:has-text('挂牌督办')")
    leader.fill("#reason", "涉嫌擅自销毁档案，社会关注度高，市局挂牌督办")
    leader.fill("#deadline", (local_today() + timedelta(days=45)).isoformat())
    leader.fill("#report_every_days", "5")
    screenshot(leader, "bureaus-supervise-form")
    leader.click("main button[type=submit]:has-text('挂牌督办')")
    leader.wait_for_selector("[data-testid=supervision-flag]")
    assert "市局挂牌督办" in leader.inner_text("[data-testid=supervision-flag]")
    screenshot(leader, "bureaus-case-supervised")

    leader.goto(f"{live_server}/oversight/")
    assert subject in leader.inner_text("[data-testid=supervised]")
    jia_row = leader.locator("[data-testid=rollup] tbody tr", has_text="示例市甲县档案局").inner_text()
    assert "\t1\t" in jia_row.replace(" ", "\t") or jia_row.split()[-2] == "1"  # one supervised case
    screenshot(leader, "bureaus-rollup")

    legal.goto(f"{live_server}/tasks")
    legal.click("main a:has-text('督办进展报告'):visible")
    legal.fill("#progress", "已完成现场勘验和询问，正在起草调查终结报告。")
    screenshot(legal, "bureaus-progress-report")
    legal.click("main button[type=submit]:has-text('提交进展报告')")
    legal.wait_for_selector("[data-testid=supervision-flag]")
    assert "已报告" in legal.inner_text("[data-testid=supervision-flag]")

    other = _sign_in(browser, live_server, "demo.yi.leader", "leader")
    assert other.goto(case_url).status == 404  # the sibling county sees nothing of it
