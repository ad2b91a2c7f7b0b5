"""Firing due timers: one case per transaction; safe with several workers (SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from app.audit.services import record_event
from app.clock import utcnow
from app.extensions import db
from app.workflow.models import Case, ProcessDefinition
from app.workflow.services.cases import _definition_ref, _run_engine, _save, load_workflow
from app.workflow.services.engine_errors import EngineError


def claim_due_case(now: datetime | None = None) -> Case | None:
    """Lock and return one case whose next timer is due (None when none is); others' locked rows are skipped."""
    now = now or utcnow()
    # A trial whose draft changed since it started cannot be loaded: its timers wait (the trial is void).
    query = (select(Case).join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
             .where(Case.status == "running", Case.next_timer_at.is_not(None), Case.next_timer_at <= now,
                    or_(Case.trial.is_(False), Case.trial_hash == ProcessDefinition.content_hash))
             .order_by(Case.next_timer_at).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Case, skip_locked=True)
    return db.session.scalar(query)


def fire_timers(case: Case) -> list[dict[str, str]]:
    """Let due timers of this case fire and run the engine; saved, indexed and audited (caller commits)."""
    workflow = load_workflow(case)
    due_before = case.next_timer_at
    steps = _run_engine(workflow, workflow.refresh_timers)
    _save(case, workflow)
    record_event("timer.fired", actor=None, object_type="case", object_id=case.id,
                 details={"due": due_before, "definition": _definition_ref(case.definition),
                          "engine_steps": steps, "case_status": case.status})
    return steps


def mark_error(case_id: int, error: EngineError) -> None:
    """Record that the case's diagram failed; it stops being picked up until someone repairs it."""
    case = db.session.get(Case, case_id)
    if case is None:
        return
    case.status, case.error_message, case.next_timer_at = "error", str(error), None
    record_event("case.error", actor=None, object_type="case", object_id=case.id,
                 details={"element": error.element_id, "message": str(error)})
