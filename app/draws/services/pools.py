"""Freezing the eligible pools for a draw, with everyone excluded and why.

Version 2 pools keep, per entry, the fields the law publishes (object code and name; officer certificate number
and name; expert code) plus a salted commitment to the rest, so a verification package can be public; the pairs
who must not meet (own unit, declared 回避) are frozen as `blocked`, and the working days of the period as
`calendar`. Version 1 records keep their original layout and hashing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from app.calendar.services import WorkingDays
from app.directories.models import Conflict, Expert, InspectionObject, InspectionResult, Officer, Tier
from app.draws.services.generator import sha256
from app.extensions import db

PUBLIC_FIELDS = {"objects": ("code", "name"), "officers": ("code", "name"), "experts": ("code",)}


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def freeze_v1(tier_ids: list[int], period_start: date, period_end: date, rest_years: int
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
    return pools, pool_hashes_v1(pools), exclusions


def pool_hashes_v1(pools: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of each frozen pool (version 1: over whole entries)."""
    hashes = {"objects": sha256(pools["objects"]), "experts": sha256(pools["experts"]),
              "conflicts": sha256(pools["conflicts"])}
    for tier in pools["tiers"]:
        hashes[f"tier:{tier['name']}"] = sha256(tier["officers"])
    return hashes


def commitment(kind: str, entry: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an entry's non-public fields (its salt included)."""
    return sha256({k: v for k, v in entry.items() if k not in PUBLIC_FIELDS[kind] and k != "commitment"})


def public_entry(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The published fields of an entry and its commitment."""
    return {**{k: entry[k] for k in PUBLIC_FIELDS[kind]}, "commitment": entry["commitment"]}


def _committed(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    entry = {**entry, "salt": secrets.token_hex(16)}
    return {**entry, "commitment": commitment(kind, entry)}


def public_pools(pools: dict[str, Any]) -> dict[str, Any]:
    """A version 2 pool set with personal data reduced to the published fields plus commitments."""
    public = {"objects": [public_entry("objects", o) for o in pools["objects"]],
              "tiers": [{"name": t["name"], "officers": [public_entry("officers", o) for o in t["officers"]]}
                        for t in pools["tiers"]],
              "experts": [public_entry("experts", e) for e in pools["experts"]],
              "blocked": pools["blocked"], "calendar": pools["calendar"]}
    if pools.get("joint"):
        public["joint"] = public_joint(pools["joint"])
    return public


def pool_hashes(pools: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of each frozen pool (version 2: over the public entries with their commitments)."""
    public = public_pools(pools)
    hashes = {"objects": sha256(public["objects"]), "experts": sha256(public["experts"]),
              "blocked": sha256(public["blocked"]), "calendar": sha256(public["calendar"])}
    for tier in public["tiers"]:
        hashes[f"tier:{tier['name']}"] = sha256(tier["officers"])
    if pools.get("joint"):
        hashes.update(joint_hashes(pools["joint"]))
    return hashes


def hashes_for(version: str, pools: dict[str, Any]) -> dict[str, str]:
    """The pool hashes the way this algorithm version computes them."""
    return pool_hashes_v1(pools) if version.endswith("/1") else pool_hashes(pools)


def calendar_days(start: date, end: date) -> dict[str, Any]:
    """The working days of the period as the calendar says today, frozen into the draw."""
    days = WorkingDays()
    workdays, current = [], start
    while current <= end:
        if days.is_workday(current):
            workdays.append(current.isoformat())
        current += timedelta(days=1)
    return {"from": start.isoformat(), "to": end.isoformat(), "workdays": workdays,
            "overrides": sum(1 for d in days.overrides if start <= d <= end)}


def freeze(tier_ids: list[int], period_start: date, period_end: date, rest_years: int,
           joined: list[dict[str, Any]] | None = None, widen: Callable[[], AbstractContextManager[Any]] | None = None
           ) -> tuple[dict[str, Any], dict[str, str], list[dict[str, Any]]]:
    """(pools, pool hashes, exclusions) for a version 2 draw; with `joined` bureaus (a joint draw) their pools
    are frozen inside `widen()`, the audited widening of the scope to them."""
    old, _hashes, exclusions = freeze_v1(tier_ids, period_start, period_end, rest_years)
    codes = {o["code"] for o in old["objects"]}
    blocked = {(kind, person, obj) for kind, person, obj in old["conflicts"] if obj in codes}
    for tier in old["tiers"]:
        blocked.update(("officer", o["code"], o["unit_code"]) for o in tier["officers"] if o["unit_code"] in codes)
    blocked.update(("expert", e["code"], e["unit_code"]) for e in old["experts"] if e["unit_code"] in codes)
    pools = {"objects": [_committed("objects", o) for o in old["objects"]],
             "tiers": [{"id": t["id"], "name": t["name"], "officers": [_committed("officers", o)
                                                                      for o in t["officers"]]}
                       for t in old["tiers"]],
             "experts": [_committed("experts", e) for e in old["experts"]],
             "blocked": [list(b) for b in sorted(blocked)], "calendar": calendar_days(period_start, period_end)}
    if joined:
        if widen is None:
            raise ValueError("a joint draw reads other bureaus only inside an audited widening of the scope")
        with widen():
            joint, joint_blocked, joint_exclusions = freeze_joint(
                joined, [t["name"] for t in old["tiers"]], period_start, period_end, codes, old["conflicts"])
        pools["joint"] = joint
        pools["blocked"] = [list(b) for b in sorted(blocked | {tuple(b) for b in joint_blocked})]
        exclusions = exclusions + joint_exclusions
    return pools, pool_hashes(pools), exclusions


# Joint draws (联合抽查) ---------------------------------------------------------------------------------------------
# A higher bureau's draw may let lower bureaus' officers and/or experts join. Each joined bureau's pools are frozen
# separately (its own tiers, matched by name, and experts), with the same exclusions and commitments, and hashed
# under their own keys; the algorithm reads every tier and the expert pool as the drawing bureau's entries followed
# by each joined bureau's (see `combined` and docs/draw-specification.md §4.1).


def qualified(short_name: str, code: str) -> str:
    """A joined person's code in the draw: the bureau's short name, a slash, their own code (codes repeat across
    bureaus, e.g. every bureau's expert ZJ-001)."""
    return f"{short_name}/{code}"


def _officer_exclusion(officer: Officer, period_start: date, period_end: date) -> dict[str, Any] | None:
    if not officer.active:
        return {"reason": "inactive"}
    if officer.certificate_valid_until < period_start:
        return {"reason": "certificate_expired", "valid_until": officer.certificate_valid_until.isoformat()}
    if officer.certificate_valid_until < period_end:
        return {"reason": "certificate_expiring", "valid_until": officer.certificate_valid_until.isoformat()}
    return None


def freeze_joint(bureaus: list[dict[str, Any]], tier_names: list[str], period_start: date, period_end: date,
                 object_codes: set[str], conflicts: list[list[str]]
                 ) -> tuple[list[dict[str, Any]], list[list[str]], list[dict[str, Any]]]:
    """(joint pools, blocked pairs, exclusions) of the joined bureaus — `bureaus` as {"id", "name", "short_name",
    "officers": bool, "experts": bool}. Every query names its bureau; the caller runs this inside an audited
    widening of the scope to exactly these bureaus (app.bureaus.services.tree.widened_below). `conflicts` are the
    drawing bureau's declared conflicts [kind, own person code, object code] (they may name a joined person)."""
    joint: list[dict[str, Any]] = []
    blocked: set[tuple[str, str, str]] = set()
    exclusions: list[dict[str, Any]] = []
    declared = {(kind, person): obj for kind, person, obj in conflicts if obj in object_codes}
    declared_pairs = [(kind, person, obj) for kind, person, obj in conflicts if obj in object_codes]

    def block(kind: str, own: str, code: str, unit_code: str) -> None:
        if unit_code in object_codes:
            blocked.add((kind, code, unit_code))
        if (kind, own) in declared:
            blocked.update((kind, code, obj) for k, person, obj in declared_pairs if k == kind and person == own)

    for bureau in bureaus:
        bid, short = bureau["id"], bureau["short_name"]
        part: dict[str, Any] = {"bureau": bid, "name": bureau["name"], "tiers": None, "experts": None}
        if bureau["officers"]:
            tiers = {t.name: t for t in db.session.scalars(select(Tier).where(Tier.bureau_id == bid,
                                                                              Tier.active.is_(True)))}
            part["tiers"] = []
            for name in tier_names:
                officers = []
                tier = tiers.get(name)
                rows = [] if tier is None else db.session.scalars(
                    select(Officer).where(Officer.bureau_id == bid, Officer.tier_id == tier.id)
                    .order_by(Officer.certificate_no))
                for officer in rows:
                    entry = {"id": officer.id, "code": qualified(short, officer.certificate_no), "name": officer.name,
                             "unit_code": officer.unit_credit_code}
                    excluded = _officer_exclusion(officer, period_start, period_end)
                    if excluded:
                        exclusions.append({"kind": "officer", "bureau": bid, **entry, "tier": name, **excluded})
                        continue
                    block("officer", officer.certificate_no, entry["code"], officer.unit_credit_code)
                    officers.append(_committed("officers", entry))
                part["tiers"].append({"name": name, "officers": officers})
        if bureau["experts"]:
            experts = []
            for expert in db.session.scalars(select(Expert).where(Expert.bureau_id == bid).order_by(Expert.code)):
                entry = {"id": expert.id, "code": qualified(short, expert.code), "name": expert.name,
                         "unit_code": expert.unit_credit_code}
                if not expert.active:
                    exclusions.append({"kind": "expert", "bureau": bid, **entry, "reason": "inactive"})
                    continue
                block("expert", expert.code, entry["code"], expert.unit_credit_code)
                experts.append(_committed("experts", entry))
            part["experts"] = experts
        joint.append(part)
    return joint, [list(b) for b in sorted(blocked)], exclusions


def public_joint(joint: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The joined bureaus' pools with personal data reduced to the published fields plus commitments."""
    return [{"bureau": part["bureau"], "name": part["name"],
             "tiers": None if part["tiers"] is None else
             [{"name": t["name"], "officers": [public_entry("officers", o) for o in t["officers"]]}
              for t in part["tiers"]],
             "experts": None if part["experts"] is None else [public_entry("experts", e) for e in part["experts"]]}
            for part in joint]


def joint_hashes(joint: list[dict[str, Any]]) -> dict[str, str]:
    """`joint:<bureau id>:tier:<name>` and `joint:<bureau id>:experts` over the public entries, per joined part."""
    hashes: dict[str, str] = {}
    for part in public_joint(joint):
        hashes[f"joint:{part['bureau']}:name"] = sha256(part["name"])
        for tier in part["tiers"] or []:
            hashes[f"joint:{part['bureau']}:tier:{tier['name']}"] = sha256(tier["officers"])
        if part["experts"] is not None:
            hashes[f"joint:{part['bureau']}:experts"] = sha256(part["experts"])
    return hashes


def combined(pools: dict[str, Any]) -> dict[str, Any]:
    """The pools the algorithm reads: each tier's officers, then the joined bureaus' officers of the tier with
    the same name (joined order); the experts, then the joined bureaus' experts. Without `joint`: the pools."""
    joint = pools.get("joint") or []
    if not joint:
        return pools
    tiers = []
    for tier in pools["tiers"]:
        officers = list(tier["officers"])
        for part in joint:
            officers += next((t["officers"] for t in part["tiers"] or [] if t["name"] == tier["name"]), [])
        tiers.append({**tier, "officers": officers})
    experts = list(pools["experts"]) + [e for part in joint for e in part["experts"] or []]
    return {**pools, "tiers": tiers, "experts": experts}
