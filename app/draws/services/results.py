"""Inspection results of confirmed draws, per draw and rolled up per lower bureau for the year's 抽查结果通报: a
county's results flow into the city's report (read through an audited widening of the city's scope)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.bureaus.services.tree import subordinate_bureaus, widened_below
from app.directories.models import InspectionResult
from app.draws.models import Draw
from app.extensions import db

OUTCOME_LABELS = {"compliant": "未发现违法行为", "problems": "发现问题，责令整改", "violation": "涉嫌违法，移送立案"}
OUTCOMES = ("compliant", "problems", "violation", "pending")


def outcomes(draw: Draw) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """(rows without personal data, counts per outcome) for the objects a confirmed draw selected: each object's
    result recorded from a month before the period to three months after it; none yet → pending."""
    by_code = {o["code"]: o for o in draw.pools["objects"]}
    dates = {row["object"]: row["date"] for row in draw.schedule or []}
    results = {r.object_id: r for r in db.session.scalars(select(InspectionResult).where(
        InspectionResult.object_id.in_([by_code[c]["id"] for c in draw.result["selected"]]),
        InspectionResult.inspected_on >= draw.period_start - timedelta(days=31),
        InspectionResult.inspected_on <= draw.period_end + timedelta(days=92)))}
    rows, counts = [], dict.fromkeys(OUTCOMES, 0)
    for code in draw.result["selected"]:
        result = results.get(by_code[code]["id"])
        outcome = result.outcome if result and result.outcome in OUTCOMES else "pending"
        counts[outcome] += 1
        rows.append({"object": by_code[code]["name"], "credit_code": code,
                     "date": result.inspected_on.isoformat() if result else dates.get(code),
                     "outcome": OUTCOME_LABELS.get(outcome, "尚未完成检查")})
    return rows, counts


def _zero() -> dict[str, Any]:
    return {"draws": 0, "eligible": 0, "selected": 0, "counts": dict.fromkeys(OUTCOMES, 0)}


def _add(into: dict[str, Any], draws: int, eligible: int, selected: int, counts: dict[str, int]) -> None:
    into["draws"] += draws
    into["eligible"] += eligible
    into["selected"] += selected
    for key in OUTCOMES:
        into["counts"][key] += counts.get(key, 0)


def county_rollup(actor: User, bureau_id: int, year: int) -> list[dict[str, Any]]:
    """One row per bureau below this one (tree order, zeros included): its confirmed draws of the year, their
    eligible and selected objects and the outcomes so far. Empty for a bureau with none below it."""
    below = subordinate_bureaus(bureau_id)
    if not below:
        return []
    ids = [b.id for b in below]
    rows = {b.id: {"bureau": b.name, **_zero()} for b in below}
    with widened_below(actor, ids, "draw.results_report.counties", {"year": year}):
        for draw in db.session.scalars(select(Draw).where(Draw.bureau_id.in_(ids), Draw.year == year,
                                                          Draw.status == "confirmed").order_by(Draw.id)):
            _rows, counts = outcomes(draw)
            _add(rows[draw.bureau_id], 1, int(draw.result["eligible"]), int(draw.result["selected_count"]), counts)
    return [rows[i] for i in ids]


def totals(own: dict[str, Any], counties: list[dict[str, Any]]) -> dict[str, Any]:
    """The bureau's own figures plus every county's."""
    total = _zero()
    for row in [own, *counties]:
        _add(total, row["draws"], row["eligible"], row["selected"], row["counts"])
    return total
