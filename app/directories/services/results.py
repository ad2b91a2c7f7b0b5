"""Recording an inspection's outcome on its object (the draw's rest rule reads these)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.directories.models import InspectionResult
from app.extensions import db


def record_outcome(actor: User | None, object_id: int, inspected_on: str, outcome: str, case_id: int | None,
                   note: str = "") -> InspectionResult:
    """Create or update the object's result for that date; audited."""
    day = date.fromisoformat(inspected_on)
    result = db.session.scalar(select(InspectionResult).where(InspectionResult.object_id == object_id,
                                                              InspectionResult.inspected_on == day))
    if result is None:
        result = InspectionResult(object_id=object_id, inspected_on=day, outcome=outcome, note=note, case_id=case_id)
        db.session.add(result)
    else:
        result.outcome, result.note, result.case_id = outcome, note, case_id
    db.session.flush()
    record_event("inspection.result_recorded", actor=actor, object_type="objects", object_id=object_id,
                 details={"inspected_on": inspected_on, "outcome": outcome, "case_id": case_id})
    return result
