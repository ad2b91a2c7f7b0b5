"""A live server on a fresh SQLite file, and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.demo.services import seed_demo
from app.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def db_session() -> None:
    """Browser tests use the live server's own database, not the rolled-back test transaction."""
    return None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served on 127.0.0.1 with CSRF on, a migrated database and the demo data."""
    from flask_migrate import upgrade

    db_file = tmp_path_factory.mktemp("e2e") / "e2e.db"
    # Every browser of the run signs in from 127.0.0.1: the per-client limit would count all their failures.
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{db_file}",
                      "SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789",
                      "LOGIN_SLOWDOWN_SECONDS": 0, "CASEFILE_BACKGROUND": True, "LOGIN_CLIENT_LIMIT": 1000})
    with app.app_context():
        upgrade()
        seed_demo(Path(app.instance_path) / "attachments")
        from app.auth.services import create_user
        from app.bureaus.context import for_bureau, use
        from app.clock import utcnow
        from tests.conftest import declare_calendar_year

        with use(for_bureau(1)):  # the city's calendar (its counties inherit it) and an account of the city
            declare_calendar_year(utcnow().year + 1)
            # An account of its own for the lockout test, so locking it never blocks the other browser tests.
            create_user(None, username="e2e.locktest", full_name="锁定测试", password="locktest-pass-2026",
                        roles=["auditor"])
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make chromium` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context (no cookies) per test, 1280×800, Chinese locale."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page: object, name: str) -> Path:
    """Save a PNG under test-artifacts/ (docs copy the ones they show)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def sign_in_as(browser: object, base: str, username: str) -> object:
    """A fresh browser context signed in as a demo account (its password follows the demo pattern)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",  # type: ignore[attr-defined]
                               accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", username.replace("demo.", "demo-") + "-2026")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=role-cards]")
    return page


def open_task(page: object, case_url: str, task_name: str) -> None:
    """Open the case's open task with this name from the case page."""
    page.goto(case_url)  # type: ignore[attr-defined]
    row = page.locator("[data-testid=case-tasks] tr", has_text=task_name).filter(has_text="待办")  # type: ignore
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=task-form]")  # type: ignore[attr-defined]


def submit_task(page: object) -> None:
    """Submit the task form and insist there was no error."""
    page.click("[data-testid=task-form] button[type=submit]:has-text('提交')")  # type: ignore[attr-defined]
    page.wait_for_selector(".alert-success, .alert-danger")  # type: ignore[attr-defined]
    errors = page.locator(".alert-danger, .invalid-feedback")  # type: ignore[attr-defined]
    assert errors.count() == 0, [errors.nth(i).inner_text() for i in range(errors.count())]
