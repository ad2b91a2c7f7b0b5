"""In a real browser: the supervision section imports objects from Excel (preview, fix, confirm) and filters them."""

import pytest

from tests.directories.helpers import code, object_rows, xlsx
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def test_import_objects_with_a_preview_then_search(page, live_server, tmp_path):
    page.goto(f"{live_server}/login")
    page.fill("#username", "demo.supervision")
    page.fill("#password", "demo-supervision-2026")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=role-cards]")

    rows = object_rows(4, start=8000)
    rows[3][1] = code(8002)[:-1] + ("0" if code(8002)[-1] != "0" else "1")  # a wrong check digit in row 4
    bad = tmp_path / "名录.xlsx"
    bad.write_bytes(xlsx(rows))
    page.goto(f"{live_server}/directories/objects/import")
    page.set_input_files("#file", str(bad))
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=import-problems]")
    problems = page.inner_text("[data-testid=import-problems]")
    assert "4" in problems and "统一社会信用代码" in problems and "校验位不正确" in problems
    screenshot(page, "import-preview")

    rows[3][1] = code(8002)
    good = tmp_path / "名录-改正.xlsx"
    good.write_bytes(xlsx(rows))
    page.click("text=重新上传")
    page.set_input_files("#file", str(good))
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=import-summary]")
    assert "新增 4 条" in page.inner_text("[data-testid=import-summary]")
    page.click("text=确认导入")
    page.wait_for_selector(".alert-success")
    assert "新增 4 条" in page.inner_text(".alert-success")

    page.fill("#q", "测试单位800")
    page.select_option("#f-unit_type", "enterprise")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("[data-testid=records]")
    assert page.inner_text("[data-testid=total]") == "1"
    screenshot(page, "objects-list")
