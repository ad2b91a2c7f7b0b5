"""In a real browser (issue 17): a file chosen in a task form survives a refused submission and is shown as
already attached, with a box to remove it; pages load under the Content-Security-Policy without violations."""

import pytest

from app.demo.services import DEMO_CASE_SUBJECT
from tests.e2e.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser


def test_a_chosen_file_survives_a_refused_submission(browser, live_server, tmp_path):
    page = sign_in_as(browser, live_server, "demo.legal")
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server}/tasks")
    row = page.locator("[data-testid=inbox] tr", has_text=DEMO_CASE_SUBJECT).filter(has_text="填写立案审批表")
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=task-form]")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"photo" * 200)
    page.set_input_files("[id='f.evidence']", str(photo))
    page.click("[data-testid=task-form] button[type=submit]:has-text('提交')")  # required fields empty: refused
    page.wait_for_selector(".alert-danger")
    kept = page.locator("input[name='f.evidence.keep']")
    assert kept.count() == 1 and kept.is_checked()
    assert "现场照片.jpg" in page.content()
    screenshot(page, "task-form-kept-upload")
    assert violations == []
