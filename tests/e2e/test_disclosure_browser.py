"""The disclosure portal in Chromium: an anonymous visitor browses every tab on a desktop and on a 390 px phone,
opens a decision and a flowchart; a penalty decision served in a case becomes a draft with its deadline, the legal
section publishes it, a leader registers its revocation, the legal section withdraws it — and the outbox holds the
three events in order. Screenshots feed docs/guide-disclosure.md."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import open_task, screenshot, sign_in_as, submit_task

pytestmark = pytest.mark.browser

TABS = (("抽查事项清单", "inspection-items"), ("抽查计划", "plans"), ("抽查任务", "tasks"), ("抽查结果", "results"),
        ("行政执法事项清单", "enforcement-items"), ("执法主体资格清单", "subjects"),
        ("执法人员资格清单", "officers"), ("执法流程图", "flowcharts"), ("执法决定", "decisions"))
SUBJECT = "某档案服务公司擅自销毁档案案（公示测试，演示）"


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"{page.url} scrolls sideways ({width}px)"


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_a_visitor_browses_every_tab_and_opens_a_decision_and_a_flowchart(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    suffix = "" if width > 1000 else "-phone"
    page.goto(live_server)
    page.click("[data-testid=portal-link]")
    page.wait_for_selector("[data-testid=portal-tabs]")
    screenshot(page, f"portal-home{suffix}")
    for label, slug in TABS:
        page.click(f"[data-testid=portal-tabs] a:text-is('{label}')")
        page.wait_for_url(f"**/public/{slug}**")
        assert page.locator("[data-testid=portal-tabs] a.active").inner_text() == label
        assert "登录" not in page.locator("main h1").first.inner_text()
        _no_sideways_scroll(page)
        if slug in ("decisions", "officers", "inspection-items") or (slug == "tasks" and width > 1000):
            screenshot(page, f"portal-{slug}{suffix}")
    # the city's penalty decision from the demo, published by its legal section
    page.goto(f"{live_server}/public/decisions?kind=penalty_decision&bureau=1")
    page.click("[data-testid=portal-items] li a >> nth=0")
    page.wait_for_selector("[data-testid=portal-item]")
    text = page.inner_text("[data-testid=portal-item]")
    assert "发布机关" in text and "示例市档案局" in text and "发布于" in text and "罚款人民币" in text
    assert len(page.inner_text("[data-testid=item-history] code")) == 64
    _no_sideways_scroll(page)
    screenshot(page, f"portal-decision{suffix}")
    page.goto(f"{live_server}/public/flowcharts")
    page.click("[data-testid=flowcharts] a:has-text('案件办理')")
    page.wait_for_selector("[data-testid=diagram][data-diagram-ready=true]")
    steps = page.inner_text("[data-testid=steps] >> nth=0")
    assert "个工作日内" in steps
    _no_sideways_scroll(page)
    screenshot(page, f"portal-flowchart{suffix}")
    context.close()


def test_the_portal_reads_without_javascript(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 860}, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/public/decisions")
    page.select_option("#year", index=1)
    page.click("[data-testid=portal-filters] button[type=submit]")
    assert "year=" in page.url and page.locator("[data-testid=portal-items] li").count() >= 1
    context.close()


def _database(tmp_path_factory) -> Path:
    found = sorted(tmp_path_factory.getbasetemp().glob("e2e*/e2e.db"))
    assert found, "the live server's database"
    return found[0]


def _case_up_to_the_decision(database: Path) -> None:
    """File → investigation → report → prior notice → the party's response, by the services (as the case test
    does), committed to the live server's database; the decision and its service follow in the browser."""
    from app import create_app
    from app.auth.roles import Role
    from app.bureaus.context import for_bureau, use
    from app.extensions import db
    from app.workflow.services import cases
    from tests.cases.helpers import FILE, INVESTIGATE, do, report
    from tests.conftest import user_for

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{database}",
                      "SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789"})
    with app.app_context(), use(for_bureau(1)):
        case_id = cases.start_case(user_for(Role.LEGAL), "case_handling", SUBJECT, {}).id
        do(case_id, "file", Role.LEGAL, FILE)
        do(case_id, "approve_filing", Role.LEADER, {"filing_decision": "approve", "filing_opinion": "同意立案"})
        do(case_id, "investigate", Role.INSPECTOR, INVESTIGATE)
        do(case_id, "report", Role.INSPECTOR, report(30000))
        do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
        do(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
        db.session.commit()
        db.session.remove()


def test_a_served_decision_is_published_then_withdrawn_after_its_revocation(browser, live_server, tmp_path_factory):
    database = _database(tmp_path_factory)
    _case_up_to_the_decision(database)
    leader = sign_in_as(browser, live_server, "demo.leader")
    legal = sign_in_as(browser, live_server, "demo.legal")
    leader.goto(f"{live_server}/cases?q={SUBJECT[:10]}")
    leader.click(f"[data-testid=case-table] a:has-text('{SUBJECT}')")
    case_url = leader.url
    open_task(leader, case_url, "局领导作出处罚决定")
    leader.check("[id='f.decision_approved']")
    leader.fill("[id='f.decision_date']", "2027-05-20")
    submit_task(leader)
    open_task(legal, case_url, "送达")
    legal.check("[id='f.service_method-2']")
    legal.fill("[id='f.served_on']", "2027-05-21")
    legal.fill("[id='f.service_time']", "10:00")
    legal.fill("[id='f.service_place']", "当事人住所")
    legal.fill("[id='f.servers']", "执法人员01（演示）、执法人员02（演示）")
    submit_task(legal)

    # the draft is on the legal section's dashboard with its deadline (7 working days)
    legal.goto(f"{live_server}/disclosure/")
    row = legal.locator("[data-testid=disclosure-drafts] tr", has_text="某档案服务有限公司（演示）").first
    assert row.locator("td").nth(3).inner_text().strip()[-10:].count("-") == 2
    screenshot(legal, "disclosure-dashboard")
    row.locator("a").click()
    legal.wait_for_selector("[data-testid=publish-form]")
    assert "工作日计算" in legal.inner_text("[data-testid=item-due]")
    screenshot(legal, "disclosure-review")
    legal.click("[data-testid=publish]")
    legal.wait_for_selector(".alert-success")
    assert legal.inner_text("[data-testid=item-status]") == "已公示"
    item_url = legal.url
    public_url = legal.get_attribute("[data-testid=public-link]", "href")
    public_id = public_url.rstrip("/").rsplit("/", 1)[-1]

    # the decision is revoked: a leader registers it with the reason, the legal section withdraws the item
    leader.goto(item_url)
    leader.fill("#revoke_reason", "经行政复议，复议机关撤销原处罚决定（演示）")
    leader.click("[data-testid=revoke]")
    leader.wait_for_selector(".alert-success")
    legal.goto(item_url)
    assert legal.inner_text("[data-testid=withdraw-due]")
    assert legal.input_value("#reason") == "经行政复议，复议机关撤销原处罚决定（演示）"
    screenshot(legal, "disclosure-withdraw")
    legal.click("[data-testid=withdraw]")
    legal.wait_for_selector(".alert-success")
    assert legal.inner_text("[data-testid=item-status]") == "已撤回"

    visitor = browser.new_context(viewport={"width": 390, "height": 860}, locale="zh-CN").new_page()
    visitor.goto(f"{live_server}/public/items/{public_id}")
    notice = visitor.inner_text("[data-testid=withdrawn-notice]")
    assert "撤回" in notice and "复议机关撤销原处罚决定" in notice
    assert "罚款人民币" not in visitor.inner_text("[data-testid=portal-item]")
    screenshot(visitor, "portal-withdrawn-phone")

    # five years on, the timer worker takes it down; its address then answers 410 with a notice
    assert _take_down_when_due(database, public_id) == 1
    response = visitor.goto(f"{live_server}/public/items/{public_id}")
    assert response.status == 410 and "撤下" in visitor.inner_text("main")

    with sqlite3.connect(database) as connection:
        events = connection.execute("SELECT event_type, seq FROM outbox_event WHERE topic = 'disclosure' AND "
                                    "item_key = ? ORDER BY id", (public_id,)).fetchall()
    assert events == [("published", 1), ("withdrawn", 2), ("taken_down", 3)]


def _take_down_when_due(database: Path, public_id: str) -> int:
    """Run the worker's take-down job with the clock on the item's take-down day; how many of it came down."""
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from app import clock, create_app
    from app.bureaus.context import SYSTEM, use
    from app.disclosure.models import DisclosureItem
    from app.disclosure.services.publishing import take_down_due
    from app.extensions import db

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{database}",
                      "SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789"})
    with app.app_context():
        with use(SYSTEM):
            day = db.session.scalar(select(DisclosureItem.take_down_on).where(DisclosureItem.public_id == public_id))
        clock.set_clock(lambda: datetime.combine(day, datetime.min.time()) + timedelta(hours=4))
        try:
            take_down_due()
        finally:
            clock.set_clock(None)
        with use(SYSTEM):
            status = db.session.scalar(select(DisclosureItem.status).where(DisclosureItem.public_id == public_id))
        db.session.remove()
    return int(status == "taken_down")
