"""In a real browser: each demo role signs in and sees its own navigation; the lockout says so."""

import pytest

from app.demo.services import DEMO_ACCOUNTS
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

EVERYONE = {"home.index", "workflow.my_tasks", "directories.index"}
CASES = {"workflow.case_list"}
DRAWS = {"draws.index"}
OVERSIGHT = {"oversight.overview"}
TAKEOVER = {"takeover.delegation_list"}
STATISTICS = {"statistics.dashboard"}
DISCLOSURE = {"disclosure.index"}
OUTBOX = {"outbox.index"}
NAV = {
    "supervision": EVERYONE | CASES | DRAWS | OVERSIGHT | STATISTICS,
    "legal": EVERYONE | CASES | DRAWS | STATISTICS | DISCLOSURE | OUTBOX | {"processes.index"},
    "inspector": EVERYONE,
    "expert": EVERYONE,
    "discipline": EVERYONE | DRAWS | STATISTICS,
    "leader": EVERYONE | CASES | DRAWS | OVERSIGHT | TAKEOVER | STATISTICS | DISCLOSURE,
    "auditor": EVERYONE | CASES | DRAWS | OVERSIGHT | STATISTICS | DISCLOSURE | {"processes.index", "audit.events"},
    "admin": EVERYONE | CASES | DRAWS | TAKEOVER | DISCLOSURE | OUTBOX | {
        "processes.index", "audit.events", "admin.users", "calendar.overrides", "bureaus.index", "bureau.settings"},
}


def _sign_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.role.value)
def test_each_role_signs_in_and_sees_its_navigation(page, live_server, account):
    _sign_in(page, live_server, account.username, account.password)
    page.wait_for_selector("[data-testid=role-cards]")
    assert account.full_name in page.inner_text("[data-testid=user-menu]")
    shown = set(page.eval_on_selector_all("[data-testid=main-nav] a", "els => els.map(e => e.dataset.endpoint)"))
    assert shown == NAV[account.role.value]
    assert page.locator(f"[data-role={account.role.value}]").count() == 1
    screenshot(page, f"home-{account.role.value}")


def test_forbidden_page_is_friendly(page, live_server):
    _sign_in(page, live_server, "demo.inspector", "demo-inspector-2026")
    page.wait_for_selector("[data-testid=role-cards]")
    response = page.goto(f"{live_server}/admin/users")
    assert response.status == 403
    assert "无权访问" in page.content()


def test_ten_wrong_passwords_lock_the_account(page, live_server):
    for _ in range(10):
        _sign_in(page, live_server, "e2e.locktest", "wrong-password-0")
        page.wait_for_selector(".alert-danger")
    assert "账户已被锁定" in page.inner_text(".alert-danger")
    screenshot(page, "login-locked")
    _sign_in(page, live_server, "e2e.locktest", "locktest-pass-2026")
    assert "临时锁定" in page.inner_text(".alert-danger")


def test_language_switch_to_english(page, live_server):
    page.goto(f"{live_server}/login")
    page.click("text=English")
    page.wait_for_selector("h1:has-text('Sign in')")
    assert page.locator("html").get_attribute("lang") == "en"
