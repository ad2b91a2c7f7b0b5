"""The administrator fills in the bureau settings in Chromium; a refused save keeps what was typed."""

import pytest

from tests.e2e.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser


def test_admin_edits_bureau_settings(browser, live_server):
    admin = sign_in_as(browser, live_server, "demo.admin")
    admin.goto(f"{live_server}/admin/bureau/")
    admin.fill("[id='postcode']", "12")
    admin.fill("[id='court']", "示例市示例区人民法院（演示）")
    admin.click("main button[type=submit]")
    assert "邮政编码应为 6 位数字。" in admin.inner_text("main")
    assert admin.input_value("[id='court']") == "示例市示例区人民法院（演示）"  # kept
    admin.fill("[id='postcode']", "999001")
    admin.click("main button[type=submit]")
    assert "机关设置已保存" in admin.inner_text("main")
    screenshot(admin, "admin-bureau-settings")
