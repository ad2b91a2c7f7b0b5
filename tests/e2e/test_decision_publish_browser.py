"""Issue 10 (b) in a real browser: the legal section raises the threshold of the 重大执法决定 catalog
(major_decision.dmn) in the decision-table editor of a draft and publishes the draft; a new case with the same fine
is no longer major, while a case started before stays on its version's catalog. Own server: it publishes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.auth.roles import Role
from app.bureaus.context import for_bureau, use
from app.demo.services import seed_demo
from app.extensions import db
from app.workflow.services import cases
from tests.cases import helpers as ch
from tests.e2e.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser

FINE = 150000  # a service company: 20,000–200,000 allowed; major at ≥ 100,000 until the catalog is changed
COMPANY = {**ch.FILE, "party_type": "service_company"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    from flask_migrate import upgrade

    from app.clock import utcnow
    from tests.conftest import declare_calendar_year

    db_file = tmp_path_factory.mktemp("decision") / "decision.db"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{db_file}",
                      "SECRET_KEY": "e2e-decision-secret-0123456789abcdef0123456789", "LOGIN_SLOWDOWN_SECONDS": 0})
    with app.app_context():
        upgrade()
        seed_demo()
        with use(for_bureau(1)):
            declare_calendar_year(utcnow().year + 1)
        db.session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}", app
    http.shutdown()


def _case_to_report(app, subject: str) -> int:
    """A directly filed case against a service company, investigated, then reported with the fine; committed."""
    with app.app_context(), use(for_bureau(1)):
        case_id = cases.start_case(ch.user_for(Role.LEGAL), "case_handling", subject, {}).id
        ch.do(case_id, "file", Role.LEGAL, COMPANY)
        ch.do(case_id, "approve_filing", Role.LEADER, {"filing_decision": "approve", "filing_opinion": "同意立案"})
        ch.do(case_id, "investigate", Role.INSPECTOR, ch.INVESTIGATE)
        db.session.commit()
        return case_id


def _report(app, case_id: int) -> tuple[int, list[str]]:
    """Submit the investigation report with the fine; the case's version and its open steps after it."""
    with app.app_context(), use(for_bureau(1)):
        ch.do(case_id, "report", Role.INSPECTOR, ch.report(FINE))
        db.session.commit()
        return cases.get_case(case_id).definition.version, ch.ready(case_id)


def test_legal_raises_the_major_threshold_publishes_and_new_cases_follow(browser, server):
    base, app = server
    before = _case_to_report(app, "发布前立案的案件")

    page = sign_in_as(browser, base, "demo.legal")
    page.goto(f"{base}/processes/")
    page.locator("table a", has_text="行政处罚案件办理").first.click()
    page.wait_for_selector("[data-testid=diagram][data-diagram-ready=true]")
    page.click("[data-testid=new-draft]")
    page.wait_for_selector("[data-testid=draft-banner]")
    draft_url = page.url
    page.click("[data-testid=edit-decision]")
    page.wait_for_selector("[data-testid=dmn-editor]")
    assert page.input_value("[id='r2.in2']") == ">= 100000"
    page.fill("[id='r2.in2']", ">= 200000")
    page.fill("[id='r2.desc']", "对单位（含档案服务企业）罚款二十万元以上")
    page.fill("#reason", "依据新修订的重大执法决定法制审核目录提高对单位罚款的标准")
    page.click("[data-testid=dmn-save]")
    page.wait_for_selector(".alert-success")
    table = page.locator("[data-decision=major_decision]")
    assert "≥ 200,000" in table.inner_text()

    page.goto(draft_url)
    page.click("text=比较并发布…")
    page.wait_for_selector("#diff-diagram[data-diagram-ready=true]")
    assert "major_decision.dmn" in page.inner_text("main")  # the decision table is among the changes
    screenshot(page, "decision-table-publish-diff")
    page.fill("#reason", "重大执法决定目录调整：对单位罚款二十万元以上为重大")
    page.click("text=确认发布第 2 版")
    page.wait_for_selector(".alert-success")
    assert "已发布第 2 版" in page.inner_text(".alert-success")

    after = _case_to_report(app, "发布后立案的案件")
    assert _report(app, after) == (2, ["prior_notice"])  # 150,000 is no longer major: no legal review
    old_version, old_steps = _report(app, before)
    assert old_version == 1 and "review" in old_steps  # pinned to version 1: still major, reviewed

    page.goto(f"{base}/cases/{after}")
    page.wait_for_selector("[data-case-diagram][data-diagram-ready=true]")
    assert "行政处罚事先告知" in page.inner_text("main")
    screenshot(page, "decision-table-new-case-not-major")
