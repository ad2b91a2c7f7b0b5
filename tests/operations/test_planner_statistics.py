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


def test_a_bureau_holding_most_cases_is_walked_in_list_order_not_sorted():
    """One bureau with thousands of cases: the statistics must say so, or SQLite sorts them all for a list page."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from app.clock import utcnow
    from app.workflow.models import Case, ProcessDefinition

    if db.session.get_bind().dialect.name != "sqlite":
        return
    definition = db.session.scalar(select(ProcessDefinition.id).order_by(ProcessDefinition.id))
    if definition is None:
        from tests.workflow.helpers import load_process

        load_process("engine")
        definition = db.session.scalar(select(ProcessDefinition.id).order_by(ProcessDefinition.id))
    now = utcnow()
    db.session.execute(insert(Case), [
        {"definition_id": definition, "subject": f"统计{n}", "status": "running", "state": "",
         "serializer_version": "1", "lock_version": 1, "created_at": now - timedelta(minutes=n),
         "updated_at": now, "bureau_id": 1}
        for n in range(30000)])
    refresh_planner_statistics()
    plan = " ".join(str(row[-1]) for row in db.session.execute(text(
        "EXPLAIN QUERY PLAN SELECT id FROM workflow_case WHERE bureau_id IN (1, 2, 3) "
        "ORDER BY created_at DESC, id DESC LIMIT 50")))
    assert "TEMP B-TREE" not in plan, plan
