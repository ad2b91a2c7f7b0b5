"""`flask outbox deliver --once` and the timer worker's poll push the outbox to the configured receiver."""

from __future__ import annotations

from sqlalchemy import select

from app.bureaus import context
from app.extensions import db
from app.outbox.models import OutboxEvent
from app.outbox.services import enqueue
from tests.outbox.receiver import Receiver

SECRET = "cli-outbox-secret-0123456789abcdef"


def _configured(app, url: str):
    app.config.update(OUTBOX_URL=url, OUTBOX_SECRET=SECRET, OUTBOX_TIMEOUT=2.0)


def test_cli_deliver_once_pushes_due_events(app) -> None:
    ids = [enqueue("disclosure", "decision:cli", t, {"title": t}).event_id for t in ("published", "withdrawn")]
    db.session.commit()
    with Receiver(SECRET) as receiver:
        _configured(app, receiver.url)
        try:
            result = app.test_cli_runner().invoke(args=["outbox", "deliver", "--once"])
        finally:
            _configured(app, "")
    assert result.exit_code == 0, result.output
    assert "delivered 2" in result.output
    assert receiver.record.acked == ids  # in order: published, then withdrawn


def test_cli_refuses_without_a_push_address(app) -> None:
    result = app.test_cli_runner().invoke(args=["outbox", "deliver", "--once"])
    assert result.exit_code != 0 and "OUTBOX_URL" in result.output


def test_the_timer_worker_poll_delivers_the_outbox(app) -> None:
    from app.operations.cli import run_jobs

    event_id = enqueue("disclosure", "decision:worker", "published", {"title": "x"}).event_id
    db.session.commit()
    with Receiver(SECRET) as receiver:
        _configured(app, receiver.url)
        try:
            with app.app_context(), context.use(context.NOTHING):  # the worker sets SYSTEM itself
                run_jobs(once=True)
        finally:
            _configured(app, "")
    assert receiver.record.acked == [event_id]
    with context.use(context.SYSTEM):
        status = db.session.scalar(select(OutboxEvent.status).where(OutboxEvent.event_id == event_id))
    assert status == "delivered"
