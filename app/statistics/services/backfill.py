"""Facts for cases that started before the statistics existed (migration 0022 added `case_fact`): each such case's
row is rebuilt from its audit events, in order, by the same code the steps run (`facts.case_started`,
`facts.task_completed`) with the clock set to each event's time — never by loading a workflow. Without it an
upgraded installation would count only the cases started after the upgrade.

Each step's data is taken as what it submitted, added to what the case started with (as the task data then held
it), and the case's status as the step's event recorded it; a case finished otherwise (a timer) is closed on the
local day it finished.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.clock import set_clock, to_local
from app.extensions import db
from app.statistics.models import CaseFact
from app.statistics.services import facts
from app.workflow.models import Case, Task


@dataclass(frozen=True)
class _CaseThen:
    """The case as the facts code saw it at one step: running until its last step, if it finished there."""

    id: int
    bureau_id: int
    trial: bool
    status: str


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    set_clock(lambda: moment)
    try:
        yield
    finally:
        set_clock(None)


def cases_without_facts() -> list[Case]:
    """Real (non-trial) cases of the current bureau scope that have no facts row, oldest first."""
    return list(db.session.scalars(select(Case).where(Case.trial.is_(False),
                                                      Case.id.not_in(select(CaseFact.case_id)))
                                   .order_by(Case.id)))


def transfers() -> dict[int, int]:
    """inspection case id → the enforcement case its transfer started (from the started cases' own data)."""
    found: dict[int, int] = {}
    for object_id, details in db.session.execute(select(AuditEvent.object_id, AuditEvent.details).where(
            AuditEvent.object_type == "case", AuditEvent.action == "case.started")):
        source = str((details.get("data") or {}).get("inspection_case_id") or "")
        if source.isdigit() and str(object_id).isdigit():
            found.setdefault(int(source), int(object_id))
    return found


def rebuild(case: Case, started_by: dict[int, int]) -> bool:
    """Write the facts of one case from its events; False when it has no `case.started` event to start from."""
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id)).order_by(AuditEvent.id)))
    started = next((e for e in events if e.action == "case.started"), None)
    if started is None:
        return False
    completions = [e for e in events if e.action == "task.completed" and str(e.details.get("task_id", "")).isdigit()]
    task_ids = [int(e.details["task_id"]) for e in completions]
    forms = dict(db.session.execute(select(Task.id, Task.form_key).where(Task.id.in_(task_ids))).all())
    data: dict[str, Any] = dict(started.details.get("data") or {})
    with _clock_at(started.occurred_at):
        facts.case_started(_CaseThen(case.id, case.bureau_id, False, "running"), case.definition.process_id, data)
    for event in completions:
        data.update(event.details.get("data") or {})
        status = str(event.details.get("case_status") or "running")  # as the case stood after that step
        opened = SimpleNamespace(id=started_by[case.id]) if case.id in started_by else None
        with _clock_at(event.occurred_at):
            facts.task_completed(_CaseThen(case.id, case.bureau_id, False, status),
                                 forms.get(int(event.details["task_id"])), data, opened)
    fact = db.session.get(CaseFact, case.id)
    if fact is not None and case.status == "completed" and fact.closed_on is None:
        facts.case_closed(fact, to_local(case.completed_at or case.updated_at).date())
    if fact is not None and fact.stage == "transferred" and fact.transferred_case_id:
        # the enforcement case it went to may have finished (and found no facts here to close) before this ran
        transferred = db.session.get(CaseFact, fact.transferred_case_id)
        if transferred is not None and transferred.closed_on is not None:
            fact.stage = "closed"
    db.session.flush()
    return True


def backfill(known_transfers: dict[int, int] | None = None) -> int:
    """Rebuild the facts of every case of the current bureau that has none (the caller commits); returns how many.
    `known_transfers`: `transfers()` read once for several bureaus (the audit log is one chain for all of them)."""
    found = transfers() if known_transfers is None else known_transfers
    return sum(rebuild(case, found) for case in cases_without_facts())
