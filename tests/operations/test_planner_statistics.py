"""SQLite's planner statistics are refreshed by the worker's hourly job (PostgreSQL's autovacuum does its own)."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from app.operations.services import refresh_planner_statistics


def test_statistics_are_written_on_sqlite_only():
    ran = refresh_planner_statistics()
    if db.session.get_bind().dialect.name != "sqlite":
        assert ran is False
        return
    assert ran is True
    tables = set(db.session.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
    assert {"workflow_case", "task", "audit_event"} <= tables
