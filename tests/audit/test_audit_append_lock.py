"""On PostgreSQL, with real committing connections: an open transaction that has recorded an audit event does
not hold the append lock, so another writer's event goes in meanwhile, and the chain stays linear."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import record_event, verify_chain
from app.extensions import db

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def db_session(app):
    """Opt out of the shared rolled-back transaction: these tests need separate, committing connections."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the append lock is PostgreSQL's advisory lock")
    yield None


def test_an_open_transaction_that_recorded_an_event_does_not_block_other_appends(app):
    """Before, the first record_event took the append lock until commit: the second writer waited."""
    first_recorded, second_done, release = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with app.app_context():
            try:
                record_event("test.slow.transaction", actor=None, object_type="thing")
                first_recorded.set()
                release.wait(20)  # the transaction stays open (a long submit: engine, documents)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported to the test thread
                errors.append(exc)
            finally:
                db.session.remove()

    def second() -> None:
        with app.app_context():
            try:
                first_recorded.wait(20)
                record_event("test.quick.transaction", actor=None, object_type="thing")
                db.session.commit()
                second_done.set()
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert second_done.wait(10), "the second append waited for the first transaction"
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert not errors
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2)).all()
        assert actions == ["test.slow.transaction", "test.quick.transaction"]
        assert verify_chain().ok
        db.session.remove()
