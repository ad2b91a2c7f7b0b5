"""The auditor's view of a closed penalty case and the leader's decision page, in Chromium. Screenshots feed
docs/guide-auditor.md and docs/guide-tasks.md."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.demo.history import DEMO_CLOSED_PENALTY_SUBJECT, DEMO_DECISION_SUBJECT
from tests.e2e.conftest import ARTIFACTS, open_task, screenshot, sign_in_as

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _view(page, name, selector=None):
    """A viewport-sized screenshot (or one element's) for the guides, beside the full-page ones."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = page.locator(selector).first if selector else page
    target.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _open_case(page, base, subject):
    page.goto(f"{base}/cases?q={subject[:12]}")
    page.click(f"[data-testid=case-table] a:has-text('{subject}')")
    page.wait_for_selector("[data-case-diagram][data-diagram-ready=true]")


def _verify(archive):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "casefile", "verify", str(archive)],
                          cwd=ROOT, capture_output=True, text=True, env={"APP_ENV": "testing", "PATH": "/usr/bin"},
                          check=False)


def test_auditor_steps_through_a_closed_penalty_case_and_verifies_its_case_file(browser, live_server, tmp_path):
    page = sign_in_as(browser, live_server, "demo.auditor")
    page.goto(f"{live_server}/cases?status=completed")
    screenshot(page, "auditor-case-list")
    _view(page, "view-case-list")
    _open_case(page, live_server, DEMO_CLOSED_PENALTY_SUBJECT)
    assert page.locator(".djs-element.diagram-completed").count() >= 8  # the path taken, on the diagram
    _view(page, "view-case-page")
    assert page.locator("[data-element-id=hearing].diagram-completed").count() == 0  # the path not taken
    page.locator("[data-case-diagram]").first.evaluate(
        "c => c.__viewer.get('canvas').scrollToElement(c.__viewer.get('elementRegistry').get('decide'))")
    page.click("g.djs-element[data-element-id=decide]")
    detail = page.locator("[data-testid=element-detail]")
    detail.wait_for(state="visible")
    assert "孙局长（演示）" in detail.inner_text() and "行政处罚决定书" in detail.inner_text()
    screenshot(page, "auditor-case-diagram")
    _view(page, "view-element-detail", "[data-testid=element-detail]")

    page.click("[data-testid=step-through]")
    page.wait_for_selector("[data-testid=timeline]")
    page.locator("[data-testid=timeline] a", has_text="完成任务：法制审核").first.click()
    page.wait_for_selector("[data-case-diagram][data-diagram-ready=true]")
    change = page.locator("[data-testid=step-change]").inner_text()
    assert "证据是否确凿充分" in change and "不符合" in change and "修改后再送审" in change
    assert "版本哈希" in page.locator("[data-testid=step-version]").inner_text()
    review_url = page.url
    screenshot(page, "auditor-step-review")
    _view(page, "view-step-review")
    page.click("[data-testid=prev-step]")
    page.wait_for_selector("[data-testid=step-title]")
    assert page.url != review_url and int(page.url.rsplit("/", 1)[1]) == int(review_url.rsplit("/", 1)[1]) - 1

    page.goto(review_url.rsplit("/steps/", 1)[0])
    page.click("[data-testid=casefile-request]")
    page.wait_for_selector("[data-testid=casefile-progress], [data-testid=casefile-done]")
    if page.locator("[data-testid=casefile-progress]").count():
        screenshot(page, "auditor-casefile-progress")
        _view(page, "view-casefile-progress")
    page.wait_for_selector("[data-testid=casefile-done]", timeout=120_000)
    screenshot(page, "auditor-casefile-done")
    _view(page, "view-casefile-done")
    with page.expect_download() as download:
        page.click("[data-testid=casefile-zip]")
    archive = tmp_path / "casefile.zip"
    download.value.save_as(archive)
    accepted = _verify(archive)
    assert accepted.returncode == 0, accepted.stderr

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "案卷.pdf":
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
            target.writestr(item, data)
    refused = _verify(tampered)
    assert refused.returncode == 1 and "changed: 案卷.pdf" in refused.stderr

    case_id = review_url.split("/cases/")[1].split("/")[0]
    page.goto(f"{live_server}/audit/?case_id={case_id}")
    page.select_option("#f-action", label="完成任务")
    page.click("[data-testid=audit-filters] button[type=submit]")
    page.click("[data-testid=audit-verify]")
    page.wait_for_selector("[data-testid=verify-result]")
    assert "哈希链完整" in page.inner_text("[data-testid=verify-result]")
    assert page.input_value("#f-case") == case_id and page.input_value("#f-action") == "task.completed"
    _view(page, "view-audit-filtered")


def test_leaders_decision_page_shows_facts_amount_and_review_before_deciding(browser, live_server):
    page = sign_in_as(browser, live_server, "demo.leader")
    _open_case(page, live_server, DEMO_DECISION_SUBJECT)
    open_task(page, page.url, "局领导作出处罚决定")
    context = page.locator("[data-testid=task-context]")
    text = context.inner_text()
    assert "擅自销毁委托单位应当归档的文件材料" in text  # facts
    assert "¥150,000.00" in text  # amount
    assert "审核结论" in text and "同意" in text and "李法制（演示）" in text  # the review's conclusion
    assert "证据是否确凿充分" in text and "销毁清单复印件" in text  # review elements and evidence
    box_context = context.bounding_box()
    box_form = page.locator("[data-testid=task-form]").bounding_box()
    assert box_context["y"] < box_form["y"]  # above the decision
    screenshot(page, "leader-decision-context")
    _view(page, "view-leader-decision")
