"""Taking work over and the field, in Chromium: a leader reassigns a task to a new inspector, who finds it on a
390 px phone in the inbox (as cards) and the bell; the on-site form is one column with a camera button.
Screenshots feed docs/guide-takeover.md and docs/guide-inspector.md."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.bureaus.context import SYSTEM, for_bureau, use
from app.demo.services import CITY_BUREAU_ID
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
    from tests.conftest import declare_calendar_year

    db_file = tmp_path_factory.mktemp("ops") / "ops.db"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{db_file}",
                      "SECRET_KEY": "ops-secret-key-0123456789abcdef0123456789", "LOGIN_SLOWDOWN_SECONDS": 0,
                      "FILES_DIR": str(tmp_path_factory.mktemp("files"))})
    with app.app_context():
        upgrade()
        seed_demo()
        with use(for_bureau(CITY_BUREAU_ID)):  # the demo city's data: its accounts, calendar and draw
            create_user(None, username=NEW_INSPECTOR[0], full_name=NEW_INSPECTOR[1], password=NEW_INSPECTOR[2],
                        roles=["inspector"])
            users = {u.username: u for u in db.session.scalars(select(User))}
            declare_calendar_year(2027)  # the draw's period: the administrator has imported that year's holidays
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

    with app.app_context(), use(SYSTEM):  # type: ignore[attr-defined]
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


def _open_onsite(inspector: object, base: str) -> None:
    """Open an on-site check task of the demo inspector, making the plan first when none is open yet."""
    inspector.goto(f"{base}/tasks")  # type: ignore[attr-defined]
    onsite = inspector.locator("[data-testid=inbox-cards] a", has_text="现场检查")  # type: ignore[attr-defined]
    if onsite.count() == 0:
        inspector.locator("[data-testid=inbox-cards] a", has_text="制定检查方案").first.click()  # type: ignore
        inspector.check("[id='f.key_areas-2']")  # type: ignore[attr-defined]
        inspector.fill("[id='f.notice_date']", "2027-03-08")  # type: ignore[attr-defined]
        inspector.click("[data-testid=task-form] button[type=submit]:has-text('提交')")  # type: ignore
        inspector.wait_for_selector(".alert-success")  # type: ignore[attr-defined]
        inspector.goto(f"{base}/tasks")  # type: ignore[attr-defined]
    onsite.first.click()
    inspector.wait_for_selector("[data-testid=task-form]")  # type: ignore[attr-defined]


def _no_sideways_scroll(page: object) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_leader_reassigns_and_the_new_inspector_sees_it_on_a_phone(browser, ops):
    base, app = ops
    _worker_pass(app)
    leader = sign_in_as(browser, base, "demo.leader")
    leader.goto(f"{base}/cases")
    leader.locator("main table tbody a").first.click()  # the newest: a case the draw started (not a sort link)
    leader.click("[data-testid=manage-case]")
    card = leader.locator("[data-testid^=reassign-]", has_text="制定检查方案").first
    card.locator("select[name=to_user_id]").select_option(label=NEW_INSPECTOR[1])
    card.locator("textarea[name=reason]").fill("原检查员病假，由张新接办")
    screenshot(leader, "takeover-reassign")
    card.locator("textarea[name=reason]").fill("   ")  # passes the browser's `required`, not the server
    card.locator("button[type=submit]").click()
    assert "请填写理由" in leader.inner_text("[data-testid^=reassign-] .invalid-feedback")
    card = leader.locator("[data-testid^=reassign-]", has_text="制定检查方案").first
    assert card.locator("select[name=to_user_id] option:checked").inner_text() == NEW_INSPECTOR[1]
    card.locator("textarea[name=reason]").fill("原检查员病假，由张新接办")
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
    _open_onsite(inspector, base)
    camera = inspector.locator("[data-testid=camera-evidence]")
    assert camera.get_attribute("accept") == "image/*" and camera.get_attribute("capture") == "environment"
    assert inspector.locator("[id='f.av_records']").get_attribute("accept") == "video/*,audio/*"
    _no_sideways_scroll(inspector)
    screenshot(inspector, "phone-onsite")


def test_a_300_mb_video_uploads_on_a_phone_survives_a_cut_and_resumes(browser, ops, tmp_path):
    import hashlib

    base, app = ops
    video = tmp_path / "执法记录仪-0001.mp4"
    with video.open("wb") as out:
        block = os.urandom(1024 * 1024)
        for i in range(300):
            out.write(block[i:] + block[:i])
    expected = hashlib.sha256(video.read_bytes()).hexdigest()
    inspector = _phone(browser, base, "demo.inspector", "demo-inspector-2026")
    _open_onsite(inspector, base)
    inspector.wait_for_selector("[data-testid=uploader-av_records] .uppy-Dashboard")
    inspector.fill("[id='f.av_missing_reason']", "（测试）边上传边填写的文字")
    patches: list[str] = []
    failed: list[str] = []
    heads: list[str] = []
    inspector.on("request", lambda r: patches.append(r.headers.get("upload-offset", "?"))
                 if r.method == "PATCH" else heads.append(r.url) if r.method == "HEAD" else None)
    inspector.on("requestfailed", lambda r: failed.append(r.method))
    inspector.locator("[data-testid=uploader-av_records] input.uppy-Dashboard-input").first.set_input_files(str(video))

    def progress() -> int:
        return inspector.evaluate("window.archivesUploads[0].getState().totalProgress")

    # Polled from here: the page's CSP (no 'unsafe-eval') refuses wait_for_function's string predicates.
    for _ in range(1200):
        if progress() >= 20:
            break
        inspector.wait_for_timeout(100)
    assert progress() >= 20
    screenshot(inspector, "phone-upload-progress")
    inspector.context.set_offline(True)  # the connection drops mid-way
    inspector.wait_for_timeout(3000)
    cut_at = progress()
    assert cut_at < 100
    inspector.context.set_offline(False)
    inspector.wait_for_selector("input[name='f.av_records.keep']", state="attached", timeout=240_000)
    # The cut broke a request; the client asked where the upload stood (HEAD) and went on from there, never from 0.
    assert failed and heads, (failed, heads)
    assert patches.count("0") == 1 and len(patches) >= 10, patches
    assert inspector.input_value("[id='f.av_missing_reason']") == "（测试）边上传边填写的文字"
    screenshot(inspector, "phone-upload-done")
    attachment_id = int(inspector.get_attribute("input[name='f.av_records.keep']", "value"))
    with app.app_context(), use(for_bureau(CITY_BUREAU_ID)):  # type: ignore[attr-defined]
        from app.workflow.models import Attachment

        record = db.session.get(Attachment, attachment_id)
        assert record.size == 300 * 1024 * 1024 and record.sha256 == expected
        db.session.remove()
