"""The push dashboard in Chromium: events the receiver refused are listed as failed with their error; after the
platform is fixed the legal section redelivers them and the next worker pass empties the list. The public feeds
answer an anonymous visitor. Screenshots feed docs/guide-legal.md."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.e2e.conftest import screenshot, sign_in_as
from tests.outbox.receiver import Behaviour, Receiver

pytestmark = pytest.mark.browser
SECRET = "e2e-outbox-secret-0123456789abcdef"
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture(scope="module")
def pushing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object, Receiver]]:
    """A live server whose push goes to a local receiver that refuses everything at first."""
    from flask_migrate import upgrade

    from app.bureaus.context import for_bureau, use
    from app.clock import utcnow
    from app.demo.services import seed_demo
    from app.outbox.models import OutboxEvent
    from app.outbox.services import enqueue

    receiver = Receiver(SECRET, Behaviour(fail=1.0)).__enter__()
    db_file = tmp_path_factory.mktemp("outbox") / "outbox.db"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{db_file}",
                      "SECRET_KEY": "outbox-secret-key-0123456789abcdef01234567", "LOGIN_SLOWDOWN_SECONDS": 0,
                      "OUTBOX_URL": receiver.url, "OUTBOX_SECRET": SECRET, "OUTBOX_TIMEOUT": 2.0,
                      "OUTBOX_MAX_ATTEMPTS": 2, "OUTBOX_BACKOFF_SECONDS": 0.01, "OUTBOX_BACKOFF_MAX_SECONDS": 0.01})
    with app.app_context():
        upgrade()
        seed_demo()
        with use(for_bureau(1)):  # what the disclosure feature writes when the legal section publishes
            # The demo's own publications reached the platform before this scenario starts.
            for event in db.session.scalars(select(OutboxEvent)):
                event.status, event.delivered_at = "delivered", utcnow()
            enqueue("disclosure", "decision:101", "published",
                    {"title": "示档罚决〔2026〕3号 行政处罚决定书", "summary": "当事人：某某档案服务有限公司"})
            enqueue("disclosure", "decision:101", "withdrawn",
                    {"title": "示档罚决〔2026〕3号 行政处罚决定书", "reason": "该决定已被撤销"})
            enqueue("disclosure", "result:2026-7", "published", {"title": "2026 年度随机抽查结果（第 7 项）"})
            db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, receiver
    server.shutdown()
    receiver.__exit__(None, None, None)


def _worker_pass(app: object) -> None:
    """What `flask worker` does for the outbox on each poll."""
    import time

    from app.outbox.cli import run_outbox

    with app.app_context():  # type: ignore[attr-defined]
        for _ in range(3):  # two attempts each (OUTBOX_MAX_ATTEMPTS=2), a short pause between
            run_outbox("e2e-worker")
            time.sleep(0.05)
        db.session.remove()


def test_failed_pushes_are_shown_and_redelivered(browser, pushing) -> None:
    base, app, receiver = pushing
    _worker_pass(app)
    legal = sign_in_as(browser, base, "demo.legal")
    legal.click("nav >> text=推送监控")
    legal.wait_for_selector("[data-testid=undelivered]")
    assert legal.inner_text("[data-testid=failed-count]") == "2"  # the withdrawal waits behind its publication
    rows = legal.locator("[data-testid=undelivered] tbody tr")
    assert rows.count() == 3
    assert "HTTP 500" in rows.first.inner_text() and "失败" in rows.first.inner_text()
    waiting = legal.locator("[data-testid=undelivered] tbody tr", has_text="撤回")
    assert "待推送" in waiting.inner_text() and "等第 1 条送达后推送" in waiting.inner_text()
    assert waiting.locator("button").count() == 0  # nothing to redeliver: it was never tried
    shot = screenshot(legal, "legal-outbox-failed")
    shutil.copy(shot, DOCS_IMAGES / "legal-outbox-failed.png")

    receiver.behaviour.fail = 0.0  # the platform is repaired
    for _ in range(2):
        legal.locator("[data-testid=undelivered] tbody tr", has_text="失败").first.locator(
            "button:has-text('重新推送')").click()
        legal.wait_for_selector(".alert-success:has-text('已重新排入推送队列')")
    _worker_pass(app)
    legal.goto(f"{base}/outbox/")
    legal.wait_for_selector("[data-testid=no-undelivered]")
    shot = screenshot(legal, "legal-outbox-clear")
    shutil.copy(shot, DOCS_IMAGES / "legal-outbox-clear.png")
    order = receiver.record.first_arrival_order()
    assert order["decision:101"] == [1, 2] and order["result:2026-7"] == [1]

    visitor = browser.new_context(locale="zh-CN").new_page()
    feed = visitor.request.get(f"{base}/public/feed.json").json()
    assert [i["type"] for i in feed["items"] if i["item_key"] == "decision:101"] == ["withdrawn", "published"]
    atom = visitor.request.get(f"{base}/public/feed.atom")
    assert atom.ok and "示档罚决〔2026〕3号" in atom.text()
    visitor.context.close()
