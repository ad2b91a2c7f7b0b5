"""The audit log is a hash chain; `audit verify` names the first broken event; the database refuses edits."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.audit.models import AuditEvent
from app.audit.services import flush_pending, verify_chain
from app.audit.services import record_event as queue_event
from app.auth.roles import Role
from app.extensions import db
from tests.conftest import user_for


def record_event(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Queue and append at once: these tests look at the stored event's id and hash right away."""
    event = queue_event(*args, **kwargs)
    flush_pending()
    return event


def _dialect():
    return db.session.get_bind().dialect.name


def _tamper(event_id, sql, **params):
    """Edit a row 'by hand', getting past the append-only trigger the way a DBA could."""
    if _dialect() == "postgresql":  # the app's role cannot: step out of it as the owner would
        db.session.execute(text("RESET ROLE"))
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
    db.session.execute(text(sql), {"id": event_id, **params})
    if _dialect() == "postgresql":
        db.session.execute(text("SET ROLE archives_app"))
    db.session.expire_all()


def test_events_chain_and_verify():
    actor = user_for(Role.LEGAL)
    first = record_event("test.one", actor=actor, object_type="thing", object_id=1, details={"a": 1})
    second = record_event("test.two", actor=None, object_type="thing", object_id="x", details={"n": "中文"})
    assert second.prev_hash == first.hash
    report = verify_chain()
    assert report.ok and report.checked >= 2


def test_editing_details_by_hand_is_caught_and_named(app):
    event = record_event("test.edit", actor=None, object_type="thing", details={"amount": 100})
    record_event("test.after", actor=None, object_type="thing")
    _tamper(event.id, "UPDATE audit_event SET details = '{\"amount\": 1}' WHERE id = :id")
    report = verify_chain()
    assert not report.ok and report.broken_event_id == event.id and "content" in report.reason


def test_recomputing_the_hash_breaks_the_next_link():
    event = record_event("test.edit", actor=None, object_type="thing", details={"amount": 100})
    after = record_event("test.after", actor=None, object_type="thing")
    forged = ("e" if event.hash[0] == "f" else "f") + event.hash[1:]
    _tamper(event.id, "UPDATE audit_event SET hash = :forged WHERE id = :id", forged=forged)
    report = verify_chain()
    assert report.broken_event_id == event.id  # its own hash no longer matches its content
    assert after.id > event.id


def test_cli_verify_exits_nonzero_naming_the_event(app):
    event = record_event("test.cli", actor=None, object_type="thing", details={"k": "v"})
    db.session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    _tamper(event.id, "UPDATE audit_event SET action = 'test.forged' WHERE id = :id")
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"event {event.id}" in broken.output


def test_database_refuses_update_and_delete():
    event = record_event("test.protected", actor=None, object_type="thing")
    db.session.commit()
    for sql in ("UPDATE audit_event SET action = 'x' WHERE id = :id", "DELETE FROM audit_event WHERE id = :id"):
        savepoint = db.session.begin_nested()
        with pytest.raises(DatabaseError, match="append-only|permission denied"):
            db.session.execute(text(sql), {"id": event.id})
        savepoint.rollback()
    assert db.session.get(AuditEvent, event.id).action == "test.protected"


def test_prev_hash_is_unique_so_the_chain_cannot_fork():
    first = record_event("test.a", actor=None, object_type="thing")
    savepoint = db.session.begin_nested()
    forged = AuditEvent(occurred_at=first.occurred_at, action="test.fork", object_type="thing", details={},
                        prev_hash=first.prev_hash, hash="e" * 64)
    db.session.add(forged)
    with pytest.raises(DatabaseError):
        db.session.flush()
    savepoint.rollback()


def test_auditor_page_lists_and_verifies(as_role):
    record_event("test.visible", actor=user_for(Role.LEGAL), object_type="thing", object_id=7)
    db.session.commit()
    client = as_role(Role.AUDITOR)
    page = client.get("/audit/?action=test.visible").get_data(as_text=True)
    assert "test.visible" in page and "李法制（演示）" in page
    result = client.post("/audit/verify").get_data(as_text=True)
    assert "哈希链完整" in result


def test_user_changes_are_recorded_from_the_start():
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"user.created", "demo.seeded"} <= actions
