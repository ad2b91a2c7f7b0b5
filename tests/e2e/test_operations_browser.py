"""Taking work over and the field, in Chromium: a leader reassigns a task to a new inspector, who finds it on a
390 px phone in the inbox (as cards) and the bell; the on-site form is one column with a camera button.
Screenshots feed docs/guide-takeover.md and docs/guide-inspector.md."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.e2e.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser
NEW_INSPECTOR = ("e2e.zhang", "张新检查员", "zhang-inspector-2026")


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """A live server of its own (its app is needed to run the worker's notification job), with inspection cases."""
    from flask_migrate import upgrade

    from app.auth.models import User
    from app.auth.services import create_user
    from app.demo.services import seed_demo
    from app.directories.models import Tier
    from app.draws.services import draws

    db_file = tmp_path_factory.mktemp("ops") / "ops.db"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{db_file}",
                      "SECRET_KEY": "ops-secret-key-0123456789abcdef0123456789", "LOGIN_SLOWDOWN_SECONDS": 0,
                      "FILES_DIR": str(tmp_path_factory.mktemp("files"))})
    with app.app_context():
        upgrade()
        seed_demo()
        create_user(None, username=NEW_INSPECTOR[0], full_name=NEW_INSPECTOR[1], password=NEW_INSPECTOR[2],
                    roles=["inspector"])
        users = {u.username: u for u in db.session.scalars(select(User))}
        draw = draws.prepare(users["demo.supervision"], {
            "year": 2027, "ratio": "0.05", "tier_ids": list(db.session.scalars(select(Tier.id))),
            "period_start": "2027-03-01", "period_end": "2027-10-31"})
        draws.perform(users["demo.discipline"], draw, "778899")
        draws.confirm(users["demo.supervision"], draw, app.config["DRAW_PROCESS_ID"])
        draws.start_cases(users["demo.supervision"], draw, app.config["DRAW_PROCESS_ID"])
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()


def _worker_pass(app: object) -> None:
    """What `flask worker` does on each poll (notifications part)."""
    from app.notifications.cli import run_notifications

    with app.app_context():  # type: ignore[attr-defined]
        run_notifications()
        db.session.remove()


def _phone(browser: object, base: str, username: str, password: str) -> object:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",  # type: ignore
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=role-cards]")
    return page


def _no_sideways_scroll(page: object) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_leader_reassigns_and_the_new_inspector_sees_it_on_a_phone(browser, ops):
    base, app = ops
    _worker_pass(app)
    leader = sign_in_as(browser, base, "demo.leader")
    leader.goto(f"{base}/cases")
    leader.locator("main table a").first.click()  # the newest: a case the draw started
    leader.click("[data-testid=manage-case]")
    card = leader.locator("[data-testid^=reassign-]", has_text="制定检查方案").first
    card.locator("select[name=to_user_id]").select_option(label=NEW_INSPECTOR[1])
    card.locator("textarea[name=reason]").fill("   ")  # passes the browser's `required`, not the server
    card.locator("button[type=submit]").click()
    assert "请填写理由" in leader.inner_text("[data-testid^=reassign-] .invalid-feedback")
    card = leader.locator("[data-testid^=reassign-]", has_text="制定检查方案").first
    assert card.locator("select[name=to_user_id] option:checked").inner_text() == NEW_INSPECTOR[1]
    card.locator("textarea[name=reason]").fill("原检查员病假，由张新接办")
    screenshot(leader, "takeover-reassign")
    card.locator("button[type=submit]").click()
    leader.wait_for_selector(".alert-success")
    leader.click("text=返回案件")
    history = leader.inner_text("[data-testid=case-history]")
    assert "原检查员病假，由张新接办" in history and NEW_INSPECTOR[1] in history
    screenshot(leader, "takeover-case-history")

    _worker_pass(app)
    phone = _phone(browser, base, NEW_INSPECTOR[0], NEW_INSPECTOR[2])
    assert int(phone.inner_text("[data-testid=bell-count] >> visible=true")) >= 1
    phone.click("[data-testid=bell] >> visible=true")
    assert "任务转由您办理：制定检查方案" in phone.inner_text("[data-testid=notifications]")
    screenshot(phone, "phone-notifications")
    phone.goto(f"{base}/tasks")
    cards = phone.locator("[data-testid=inbox-cards] a")
    assert "制定检查方案" in cards.first.inner_text()
    assert phone.locator("[data-testid=inbox]").is_hidden()
    box = cards.first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 340
    _no_sideways_scroll(phone)
    screenshot(phone, "phone-inbox")
    cards.first.click()
    phone.wait_for_selector("[data-testid=task-form]")
    _no_sideways_scroll(phone)
    assert phone.locator("textarea[id='f.plan_notes']").count() == 1
    screenshot(phone, "phone-task")


def test_onsite_form_on_a_phone_has_a_camera_button(browser, ops):
    base, app = ops
    inspector = _phone(browser, base, "demo.inspector", "demo-inspector-2026")
    inspector.goto(f"{base}/tasks")
    inspector.locator("[data-testid=inbox-cards] a", has_text="制定检查方案").first.click()
    inspector.check("[id='f.key_areas-2']")
    inspector.fill("[id='f.notice_date']", "2027-03-08")
    inspector.click("[data-testid=task-form] button[type=submit]:has-text('提交')")
    inspector.wait_for_selector(".alert-success")
    inspector.goto(f"{base}/tasks")
    inspector.locator("[data-testid=inbox-cards] a", has_text="现场检查").first.click()
    inspector.wait_for_selector("[data-testid=task-form]")
    camera = inspector.locator("[data-testid=camera-evidence]")
    assert camera.get_attribute("accept") == "image/*" and camera.get_attribute("capture") == "environment"
    assert inspector.locator("[id='f.av_records']").get_attribute("accept") == "video/*,audio/*"
    _no_sideways_scroll(inspector)
    screenshot(inspector, "phone-onsite")
