"""Keeping each case's statistics facts current: called by the case service in the same transaction as the
start of a case and the completion of each task, from the data the step submitted (never by loading workflows).

The steps are recognised by their form (the forms library is shared by every version of a procedure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.clock import local_today
from app.extensions import db
from app.statistics.models import CaseFact, CaseProblem

INSPECTION_PROCESSES = ("random_inspection",)
TRACKED_FORMS = frozenset({"ri_onsite", "ri_feedback", "ri_rect_order", "ri_recheck", "ri_register", "ch_file",
                           "case_filing_request", "ch_report", "ch_decide"})
AREAS = ("responsibility", "storage", "staffing", "management", "information", "guidance")


def _day(value: Any, default: date | None = None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else default
    except ValueError:
        return default


def _team(data: dict[str, Any]) -> str:
    officers = "、".join(str(o.get("name", "")) for o in data.get("officers") or [] if isinstance(o, dict))
    experts = "、".join(str(e.get("name", "")) for e in data.get("experts") or [] if isinstance(e, dict))
    return (officers + (f"；专家：{experts}" if experts else ""))[:500]


def case_started(case: Any, process_id: str, data: dict[str, Any]) -> CaseFact | None:
    """A new (non-trial) case gets its fact row: an inspection from a draw, or an enforcement case."""
    if case.trial:
        return None
    today = local_today()
    inspection = process_id in INSPECTION_PROCESSES or ("draw_id" in data and "object_id" in data)
    fact = CaseFact(case_id=case.id, bureau_id=case.bureau_id, kind="inspection" if inspection else "case",
                    process_id=process_id, started_on=today, stage="planned", rect_rounds=0, team="")
    if inspection:
        planned = _day(data.get("planned_date"))
        fact.planned_date = planned
        fact.year = planned.year if planned else today.year
        fact.draw_id = int(data["draw_id"]) if str(data.get("draw_id", "")).isdigit() else None
        fact.object_id = int(data["object_id"]) if str(data.get("object_id", "")).isdigit() else None
        fact.team = _team(data)
    else:
        fact.source = str(data["source"])[:20] if data.get("source") else None
        inspection_case = data.get("inspection_case_id")
        fact.inspection_case_id = int(inspection_case) if str(inspection_case or "").isdigit() else None
    db.session.add(fact)
    db.session.flush()
    return fact


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except InvalidOperation:
        return None


def task_completed(case: Any, form_key: str | None, data: dict[str, Any], started: Any = None) -> None:
    """Update the case's facts after one of its tasks was completed (`data`: the task's data after the step;
    `started`: a case the step opened, e.g. the enforcement case of a transfer)."""
    if case.trial or (form_key not in TRACKED_FORMS and case.status != "completed"):
        return  # nothing to change: no statement at all
    fact = db.session.get(CaseFact, case.id)
    if fact is None:
        return
    today = local_today()
    if form_key == "ri_onsite":
        fact.stage, fact.checked_on = "checked", _day(data.get("checked_on"), today)
        for finding in data.get("findings") or []:
            if isinstance(finding, dict) and finding.get("problem") and finding.get("area") in AREAS:
                db.session.add(CaseProblem(case_id=case.id, bureau_id=case.bureau_id, area=finding["area"],
                                           found_on=fact.checked_on or today))
    elif form_key == "ri_feedback":
        fact.outcome = str(data.get("outcome") or "")[:20] or None
    elif form_key == "ri_rect_order":
        fact.stage, fact.rect_started_on = "rectifying", today
    elif form_key == "ri_recheck":
        fact.rect_rounds += 1
        if data.get("accepted") is True:
            fact.stage, fact.rectified_on = "rectified", today
            fact.rect_days = (today - fact.rect_started_on).days if fact.rect_started_on else None
    elif form_key == "ri_register" and started is not None:
        fact.stage, fact.transferred_case_id = "transferred", started.id
    elif form_key in ("ch_file", "case_filing_request") and data.get("source"):
        fact.source = str(data["source"])[:20]
    elif form_key == "ch_report":
        fact.decision = str(data.get("decision_type") or "")[:20] or None
        fact.fine_amount = _amount(data.get("fine_amount")) if fact.decision == "fine" else None
    elif form_key == "ch_decide":
        fact.decided_on = _day(data.get("decision_date"), today)
    if case.status == "completed":
        case_closed(fact, today)
    db.session.flush()


def case_closed(fact: CaseFact, today: date) -> None:
    """A finished case: closed (a compliant inspection, a finished enforcement case and the inspection it came
    from); a rectified or transferred inspection keeps its stage until its transferred case is finished."""
    fact.closed_on = fact.closed_on or today
    if fact.kind == "inspection" and fact.stage in ("planned", "checked"):
        fact.stage = "closed"
    if fact.kind == "case" and fact.inspection_case_id:
        parent = db.session.get(CaseFact, fact.inspection_case_id)
        if parent is not None and parent.stage == "transferred":
            parent.stage = "closed"
