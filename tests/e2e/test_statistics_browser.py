"""Issue 14, done when: a leader opens the statistics, changes the period, clicks a bar and lands on the list it
counts; the supervision section exports the year's board; the annual report downloads with its charts."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document as read_docx
from openpyxl import load_workbook

from tests.e2e.conftest import sign_in_as

pytestmark = pytest.mark.browser
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def _shot(page, name):
    IMAGES.mkdir(exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=False)


def test_leader_changes_the_period_and_clicks_a_bar(browser, live_server):
    leader = sign_in_as(browser, live_server, "demo.leader")
    leader.goto(f"{live_server}/statistics/")
    leader.wait_for_selector(".stat-chart[data-ready='1']")
    year = date.today().year
    leader.fill("#s-start", f"{year}-01-01")
    leader.fill("#s-end", f"{year}-12-31")
    leader.click("[data-testid=period-form] button[type=submit]")
    leader.wait_for_selector(f"text={year}-01-01 — {year}-12-31")
    leader.wait_for_selector("[data-chart-for=fig-by_unit_type][data-ready='1']")
    leader.wait_for_timeout(800)  # the bars grow in (ECharts' animation)
    _shot(leader, "leader-statistics")
    # the first bar of "inspections by unit type" and the number its table shows for that row
    table_value = leader.locator("#fig-by_unit_type tbody tr").first.locator("td a").inner_text()
    # one series, so no legend: the filled paths are the bars (axis lines have fill="none")
    bars = leader.locator("[data-chart-for=fig-by_unit_type] svg path:not([fill='none'])")
    assert bars.count() >= 1
    bars.first.click()
    leader.wait_for_url(re.compile(r"/statistics/board\?"))
    assert "unit_type=" in leader.url and "on=checked" in leader.url
    assert leader.inner_text("[data-testid=board-total]") == table_value
    _shot(leader, "leader-board-from-chart")


def test_supervision_exports_the_years_board(browser, live_server):
    supervision = sign_in_as(browser, live_server, "demo.supervision")
    year = date.today().year
    supervision.goto(f"{live_server}/statistics/board?year={year}")
    total = int(supervision.inner_text("[data-testid=board-total]"))
    _shot(supervision, "supervision-board")
    with supervision.expect_download() as download:
        supervision.click("[data-testid=board-export]")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "检查对象" and len(rows) - 1 == total


def test_the_annual_report_downloads_with_charts(browser, live_server):
    supervision = sign_in_as(browser, live_server, "demo.supervision")
    year = date.today().year
    supervision.goto(f"{live_server}/statistics/report/{year}")
    supervision.click("[data-testid=report-start]")
    supervision.wait_for_selector("[data-testid=report-form]")
    supervision.fill("#r-problems", "个别单位整改报告提交不及时，音像记录覆盖仍有欠缺。")
    supervision.fill("#r-plans", "明年继续推进全过程记录，加强法制审核培训。")
    _shot(supervision, "supervision-annual-report-draft")
    supervision.click("[data-testid=report-issue]")
    supervision.wait_for_selector("[data-testid=report-issued]")
    with supervision.expect_download() as download:
        supervision.click("[data-testid=report-download]")
    document = read_docx(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "个别单位整改报告提交不及时" in text and "年报" in text
    assert len(document.inline_shapes) >= 2
