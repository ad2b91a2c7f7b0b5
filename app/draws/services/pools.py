"""Freezing the eligible pools for a draw, with everyone excluded and why."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.directories.models import Conflict, Expert, InspectionObject, InspectionResult, Officer, Tier
from app.draws.services.generator import sha256
from app.extensions import db


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def freeze(tier_ids: list[int], period_start: date, period_end: date, rest_years: int
           ) -> tuple[dict[str, Any], dict[str, str], list[dict[str, Any]]]:
    """(pools, pool hashes, exclusions). Pools are sorted by natural key so their hashes are reproducible."""
    exclusions: list[dict[str, Any]] = []
    last = dict(db.session.execute(select(InspectionResult.object_id, func.max(InspectionResult.inspected_on))
                                   .group_by(InspectionResult.object_id)).all())
    outcomes = {(r.object_id, r.inspected_on): r.outcome for r in db.session.execute(
        select(InspectionResult.object_id, InspectionResult.inspected_on, InspectionResult.outcome))}
    objects = []
    for obj in db.session.scalars(select(InspectionObject).order_by(InspectionObject.credit_code)):
        entry = {"id": obj.id, "code": obj.credit_code, "name": obj.name}
        if not obj.active:
            exclusions.append({"kind": "object", **entry, "reason": "inactive"})
            continue
        last_day = last.get(obj.id)
        if last_day and outcomes.get((obj.id, last_day)) == "compliant" and \
                _years_after(last_day, rest_years) > period_start:
            exclusions.append({"kind": "object", **entry, "reason": "resting", "last_inspected": last_day.isoformat()})
            continue
        objects.append(entry)

    tiers = []
    for tier in db.session.scalars(select(Tier).where(Tier.id.in_(tier_ids)).order_by(Tier.position)):
        officers = []
        for officer in db.session.scalars(select(Officer).where(Officer.tier_id == tier.id)
                                          .order_by(Officer.certificate_no)):
            entry = {"id": officer.id, "code": officer.certificate_no, "name": officer.name,
                     "unit_code": officer.unit_credit_code}
            if not officer.active:
                exclusions.append({"kind": "officer", **entry, "tier": tier.name, "reason": "inactive"})
            elif officer.certificate_valid_until < period_start:
                exclusions.append({"kind": "officer", **entry, "tier": tier.name, "reason": "certificate_expired",
                                   "valid_until": officer.certificate_valid_until.isoformat()})
            elif officer.certificate_valid_until < period_end:
                exclusions.append({"kind": "officer", **entry, "tier": tier.name, "reason": "certificate_expiring",
                                   "valid_until": officer.certificate_valid_until.isoformat()})
            else:
                officers.append(entry)
        tiers.append({"id": tier.id, "name": tier.name, "officers": officers})

    experts = []
    for expert in db.session.scalars(select(Expert).order_by(Expert.code)):
        entry = {"id": expert.id, "code": expert.code, "name": expert.name, "unit_code": expert.unit_credit_code}
        if not expert.active:
            exclusions.append({"kind": "expert", **entry, "reason": "inactive"})
        else:
            experts.append(entry)

    conflicts = sorted([c.person_kind, c.person_code, c.inspection_object.credit_code]
                       for c in db.session.scalars(select(Conflict).where(Conflict.active.is_(True))))
    pools = {"objects": objects, "tiers": tiers, "experts": experts, "conflicts": conflicts}
    return pools, pool_hashes(pools), exclusions


def pool_hashes(pools: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of each frozen pool."""
    hashes = {"objects": sha256(pools["objects"]), "experts": sha256(pools["experts"]),
              "conflicts": sha256(pools["conflicts"])}
    for tier in pools["tiers"]:
        hashes[f"tier:{tier['name']}"] = sha256(tier["officers"])
    return hashes
