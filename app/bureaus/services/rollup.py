"""The upward view: per-bureau figures for a bureau and the bureaus below it, with a total (read-only).

Every query is an ORM select grouped by `bureau_id`, so the scoping event limits it to the readable bureaus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.bureaus.models import Bureau, Supervision, SupervisionReport
from app.bureaus.services.tree import all_bureaus, descendant_ids
from app.clock import local_today
from app.directories.models import InspectionObject, InspectionResult
from app.draws.models import Draw
from app.extensions import db
from app.workflow.models import Case

FIGURES = ("objects", "draws", "inspected", "compliant", "problems", "violation", "cases_running",
           "cases_completed", "supervised", "reports_overdue")


@dataclass
class RollupRow:
    """One bureau's figures (or the total)."""

    bureau: Bureau | None
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))


def _grouped(query) -> dict[int, int]:  # type: ignore[no-untyped-def]
    return {bureau_id: int(count) for bureau_id, count in db.session.execute(query).all()}


def rollup(bureau_id: int, year: int | None = None, today: date | None = None) -> tuple[list[RollupRow], RollupRow]:
    """Rows for `bureau_id` and every bureau below it (tree order), and their total, for one year."""
    year = year or local_today().year
    today = today or local_today()
    ids = descendant_ids(bureau_id)
    start, end = date(year, 1, 1), date(year, 12, 31)
    results = db.session.execute(
        select(InspectionResult.bureau_id, InspectionResult.outcome, func.count())
        .where(InspectionResult.inspected_on.between(start, end))
        .group_by(InspectionResult.bureau_id, InspectionResult.outcome)).all()
    counts = {
        "objects": _grouped(select(InspectionObject.bureau_id, func.count())
                            .where(InspectionObject.active.is_(True)).group_by(InspectionObject.bureau_id)),
        "draws": _grouped(select(Draw.bureau_id, func.count())
                          .where(Draw.year == year, Draw.status == "confirmed").group_by(Draw.bureau_id)),
        "supervised": _grouped(select(Supervision.bureau_id, func.count())
                               .where(Supervision.status == "active").group_by(Supervision.bureau_id)),
        "reports_overdue": _grouped(select(SupervisionReport.bureau_id, func.count())
                                    .where(SupervisionReport.status == "open", SupervisionReport.due_on < today)
                                    .group_by(SupervisionReport.bureau_id)),
    }
    for bid, status, count in db.session.execute(select(Case.bureau_id, Case.status, func.count())
                                                 .group_by(Case.bureau_id, Case.status)).all():
        if status in ("running", "completed"):
            counts.setdefault(f"cases_{status}", {})[bid] = int(count)
    rows = [RollupRow(b) for b in all_bureaus() if b.id in ids]
    by_id = {row.bureau.id: row for row in rows if row.bureau is not None}
    for name, grouped in counts.items():
        for bid, count in grouped.items():
            if bid in by_id:
                by_id[bid].figures[name] = count
    for bid, outcome, count in results:
        if bid in by_id:
            by_id[bid].figures["inspected"] += int(count)
            if outcome in ("compliant", "problems", "violation"):
                by_id[bid].figures[outcome] += int(count)
    total = RollupRow(None)
    for row in rows:
        for name in FIGURES:
            total.figures[name] += row.figures[name]
    return rows, total


def supervised_cases(bureau_id: int) -> list[tuple[Supervision, Case, list[SupervisionReport]]]:
    """Active supervisions set by this bureau (or below it), with their case and reports, soonest deadline first."""
    ids = descendant_ids(bureau_id)
    rows = db.session.execute(
        select(Supervision, Case).join(Case, Case.id == Supervision.case_id)
        .where(Supervision.status == "active", Supervision.supervising_bureau_id.in_(sorted(ids)))
        .order_by(Supervision.deadline, Supervision.id)).all()
    reports = {}
    if rows:
        for report in db.session.scalars(select(SupervisionReport).where(
                SupervisionReport.supervision_id.in_([s.id for s, _c in rows]))
                .order_by(SupervisionReport.due_on)):
            reports.setdefault(report.supervision_id, []).append(report)
    return [(s, c, reports.get(s.id, [])) for s, c in rows]
