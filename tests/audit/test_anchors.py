"""Issue 17: the chain head is anchored outside the database (signed checkpoints), so truncation and a
consistent rewrite are detected; on PostgreSQL the app's role can neither edit events nor switch off the triggers."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.audit.models import AuditEvent
from app.audit.services import compute_hash, flush_pending, verify_anchors, verify_chain, write_anchor
from app.audit.services import record_event as queue_event
from app.auth.roles import Role
from app.extensions import db

KEY = "k" * 40


def record_event(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Queue and append at once: these tests look at the stored event's id and hash right away."""
    event = queue_event(*args, **kwargs)
    flush_pending()
    return event


def _dialect():
    return db.session.get_bind().dialect.name


def _as_owner(*statements, **params):
    """Play the DBA: step out of the app role (PostgreSQL) or drop the trigger (SQLite), then run SQL."""
    if _dialect() == "postgresql":
        db.session.execute(text("RESET ROLE"))
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete"))
    else:
        db.session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
    for statement in statements:
        db.session.execute(text(statement), params)
    if _dialect() == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete"))
        db.session.execute(text("SET ROLE archives_app"))
    db.session.expire_all()


def _rewrite_consistently(from_id):
    """Change an event and recompute every hash after it: the chain alone still verifies."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id >= from_id).order_by(AuditEvent.id)).all()
    prev = events[0].prev_hash
    rows = []
    for event in events:
        details = {"amount": 1} if event.id == from_id else event.details
        digest = compute_hash(prev_hash=prev, occurred_at=event.occurred_at, actor_id=event.actor_id,
                              action=event.action, object_type=event.object_type, object_id=event.object_id,
                              details=details)
        rows.append((event.id, prev, digest, details))
        prev = digest
    statements = []
    # prev_hash and hash are unique: move them out of the way first, then write the forged chain
    statements.append(f"UPDATE audit_event SET prev_hash = 'x' || id, hash = 'y' || id WHERE id >= {from_id}")
    for event_id, prev_hash, digest, details in rows:
        import json
        statements.append(f"UPDATE audit_event SET prev_hash = '{prev_hash}', hash = '{digest}', "
                          f"details = '{json.dumps(details)}' WHERE id = {event_id}")
    _as_owner(*statements)


def test_a_consistent_rewrite_verifies_as_a_chain_but_not_against_the_checkpoint(tmp_path):
    target = record_event("test.fine", actor=None, object_type="thing", details={"amount": 100})
    record_event("test.after", actor=None, object_type="thing")
    write_anchor(KEY, tmp_path)
    assert verify_anchors(KEY, tmp_path) == (1, [])
    _rewrite_consistently(target.id)
    assert verify_chain().ok
    checked, problems = verify_anchors(KEY, tmp_path)
    assert checked == 1 and len(problems) == 1 and "rewritten" in problems[0].reason


def test_truncation_is_detected(tmp_path):
    record_event("test.one", actor=None, object_type="thing")
    last = record_event("test.two", actor=None, object_type="thing")
    write_anchor(KEY, tmp_path)
    _as_owner(f"DELETE FROM audit_event WHERE id = {last.id}")
    assert verify_chain().ok  # the remaining chain is intact
    _checked, problems = verify_anchors(KEY, tmp_path)
    assert problems and "truncated" in problems[0].reason


def test_a_checkpoint_signed_with_another_key_is_refused(tmp_path):
    record_event("test.one", actor=None, object_type="thing")
    write_anchor("z" * 40, tmp_path)
    _checked, problems = verify_anchors(KEY, tmp_path)
    assert problems and "signature" in problems[0].reason


def test_cli_anchor_and_verify(app, tmp_path):
    record_event("test.cli", actor=None, object_type="thing")
    db.session.commit()
    previous = dict(app.config)
    app.config.update(AUDIT_ANCHOR_KEY=KEY, AUDIT_ANCHOR_DIR=str(tmp_path))
    try:
        runner = app.test_cli_runner()
        written = runner.invoke(args=["audit", "anchor"])
        assert written.exit_code == 0 and "checkpoint written" in written.output
        assert list(tmp_path.glob("audit-anchor-*.json"))
        ok = runner.invoke(args=["audit", "verify"])
        assert ok.exit_code == 0 and "checkpoints agree: 1" in ok.output
        (tmp_path / "audit-anchor-20260101T000000-1.json").write_text('{"last_id": 1, "signature": "no"}')
        bad = runner.invoke(args=["audit", "verify"])
        assert bad.exit_code == 1 and "FAILED" in bad.output
    finally:
        app.config.update(AUDIT_ANCHOR_KEY=previous.get("AUDIT_ANCHOR_KEY"),
                          AUDIT_ANCHOR_DIR=previous["AUDIT_ANCHOR_DIR"])


@pytest.mark.parametrize("statement", [
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete",
    "SET session_replication_role = replica",
    "UPDATE audit_event SET action = 'x' WHERE id = (SELECT max(id) FROM audit_event)",
    "DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)",
    "TRUNCATE audit_event",
])
def test_the_app_role_cannot_edit_or_unprotect_the_audit_table(statement):
    if _dialect() != "postgresql":
        pytest.skip("database roles: PostgreSQL")
    role = db.session.execute(text("SELECT rolsuper, rolname FROM pg_roles WHERE rolname = current_user")).one()
    assert role.rolsuper is False and role.rolname == "archives_app"
    owner = db.session.scalar(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event'"))
    assert owner != role.rolname
    savepoint = db.session.begin_nested()
    with pytest.raises(DatabaseError, match="permission denied|must be owner|must be superuser"):
        db.session.execute(text(statement))
    savepoint.rollback()


def test_the_audit_page_checks_the_checkpoints_too(app, as_role, tmp_path):
    target_id = record_event("test.page", actor=None, object_type="thing", details={"amount": 100}).id
    record_event("test.after", actor=None, object_type="thing")
    write_anchor(KEY, tmp_path)
    db.session.commit()
    previous = dict(app.config)
    app.config.update(AUDIT_ANCHOR_KEY=KEY, AUDIT_ANCHOR_DIR=str(tmp_path))
    try:
        page = as_role(Role.AUDITOR).post("/audit/verify").get_data(as_text=True)
        assert "与 1 个签名检查点一致" in page
        _rewrite_consistently(target_id)
        db.session.commit()
        page = as_role(Role.AUDITOR).post("/audit/verify").get_data(as_text=True)
        assert "哈希链完整" in page and "记录被改写后重新计算了哈希链" in page
    finally:
        app.config.update(AUDIT_ANCHOR_KEY=previous.get("AUDIT_ANCHOR_KEY"),
                          AUDIT_ANCHOR_DIR=previous["AUDIT_ANCHOR_DIR"])
