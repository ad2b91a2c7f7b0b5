"""Audit events are queued in the transaction and linked into the chain just before it commits, so the
database-wide append lock is held only for the insert and the commit (not while a submit runs the engine)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import record_event, verify_chain
from app.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_a_read_of_the_log_in_the_same_transaction_sees_the_queued_events():
    before = _count()
    queued = record_event("test.queued", actor=None, object_type="thing", details={"n": 1})
    assert queued.id is None and queued.hash is None  # only queued so far
    assert _count() == before + 1  # reading the log appends what this transaction queued first
    assert queued.id is not None and len(queued.hash) == 64
    second = record_event("test.second", actor=None, object_type="thing")
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["test.queued", "test.second"]))
                              .order_by(AuditEvent.id)).all()
    assert [r.action for r in rows] == ["test.queued", "test.second"] and second.prev_hash == queued.hash
    assert verify_chain().ok


def test_a_rolled_back_savepoint_drops_only_what_it_queued():
    before = _count()
    record_event("test.kept", actor=None, object_type="thing")
    savepoint = db.session.begin_nested()
    record_event("test.dropped", actor=None, object_type="thing")
    savepoint.rollback()
    record_event("test.kept.too", actor=None, object_type="thing")
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2)).all()
    assert actions == ["test.kept.too", "test.kept"] and _count() == before + 2
    assert verify_chain().ok
