"""Re-running a draw from its record: the identical result, or the first difference named."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.draws.models import Draw
from app.draws.services.algorithm import DrawImpossible
from app.draws.services.draws import ALGORITHMS, record_hash, run_draw
from app.draws.services.generator import ALGORITHM_VERSION, derive_seed, sha256
from app.draws.services.pools import combined, commitment, hashes_for
from app.extensions import db


@dataclass
class VerifyReport:
    """What was checked, and the first difference (None when everything matches)."""

    checks: list[str] = field(default_factory=list)
    difference: str | None = None

    @property
    def ok(self) -> bool:
        """True when the re-run reproduces the record exactly."""
        return self.difference is None


def _first_difference(expected: dict[str, Any], stored: dict[str, Any]) -> str | None:
    if expected["selected"] != stored.get("selected"):
        for i, (a, b) in enumerate(zip(expected["selected"], stored.get("selected") or [], strict=False)):
            if a != b:
                return f"stage (a) objects: position {i + 1} should be {a}, the record says {b}"
        listed = len(stored.get("selected") or [])
        return f"stage (a) objects: {len(expected['selected'])} selected, the record lists {listed}"
    for tier_expected, tier_stored in zip(expected["tiers"], stored.get("tiers") or [], strict=False):
        for obj, officer in tier_expected["assignment"].items():
            if tier_stored.get("assignment", {}).get(obj) != officer:
                return (f"stage (b) tier {tier_expected['tier']}: object {obj} should go to officer {officer}, "
                        f"the record says {tier_stored.get('assignment', {}).get(obj)}")
    if (expected.get("experts") or {}).get("drawn") != (stored.get("experts") or {}).get("drawn"):
        return "stage (c) experts: the drawn experts differ"
    for obj, experts in (expected.get("experts") or {}).get("assignment", {}).items():
        if (stored.get("experts") or {}).get("assignment", {}).get(obj) != experts:
            return f"stage (c) experts: object {obj} should have {experts}"
    if expected != stored:
        return "the result differs in its details (quotas, swaps or teams)"
    return None


def _check_commitments(draw: Draw) -> str | None:
    pools = combined(draw.pools)
    entries = [("objects", o) for o in pools["objects"]] + [("experts", e) for e in pools["experts"]]
    entries += [("officers", o) for t in pools["tiers"] for o in t["officers"]]
    for kind, entry in entries:
        if commitment(kind, entry) != entry.get("commitment"):
            return f"frozen pool changed: the commitment of {entry['code']} does not match its data"
    return None


def _check_attempts(draw: Draw) -> str | None:
    """Every failed attempt: its nonce matches its commitment, its seed follows, and the draw really fails."""
    for attempt in draw.attempts or []:
        if sha256(attempt["nonce"]) != attempt["nonce_hash"]:
            return f"failed attempt {attempt['number']}: the nonce does not match its commitment"
        seed = derive_seed(draw.pool_hashes, attempt["nonce"], attempt["entropy"], draw.algorithm_version)
        if seed != attempt["seed"]:
            return f"failed attempt {attempt['number']}: the seed does not follow from pools, nonce and entropy"
        try:
            run_draw(draw, seed)
        except DrawImpossible:
            continue
        return f"failed attempt {attempt['number']}: the draw succeeds with that seed, the record says it failed"
    return None


def verify(draw: Draw) -> VerifyReport:
    """Check nonce, pools, seed, every stage, the schedule and its frozen calendar, failed attempts, the record
    hash and its audit-chain copy."""
    report = VerifyReport()
    v1 = draw.algorithm_version == ALGORITHM_VERSION
    if draw.status in ("prepared", "failed", "cancelled") or draw.result is None:
        report.difference = "the draw has not been performed yet"
        return report
    if sha256(draw.nonce) != draw.nonce_hash:
        report.difference = "the nonce does not match the hash committed before the draw"
        return report
    report.checks.append("nonce matches its commitment")
    if not v1:
        report.difference = _check_commitments(draw)
        if report.difference:
            return report
    hashes = hashes_for(draw.algorithm_version, draw.pools)
    if hashes != draw.pool_hashes:
        changed = [k for k, v in hashes.items() if draw.pool_hashes.get(k) != v]
        report.difference = f"frozen pool changed: {', '.join(changed)}"
        return report
    report.checks.append("pools match their hashes" + ("" if v1 else " and every entry its commitment"))
    seed = derive_seed(draw.pool_hashes, draw.nonce, draw.witness_entropy or "", draw.algorithm_version)
    if seed != draw.seed:
        report.difference = "the seed does not follow from pools, nonce and witness entropy"
        return report
    report.checks.append("seed derives from pools, nonce and entropy")
    if draw.algorithm_version not in ALGORITHMS:
        report.difference = f"unknown algorithm version {draw.algorithm_version}"
        return report
    try:
        result, schedule = run_draw(draw, seed)
    except DrawImpossible as exc:
        report.difference = f"the re-run fails ({exc}) but the record has a result"
        return report
    difference = _first_difference(result, draw.result or {})
    if difference:
        report.difference = difference
        return report
    report.checks.append("stages (a), (b), (c) reproduce exactly")
    if not v1:
        if schedule != draw.schedule:
            report.difference = "the schedule does not follow from the result and the frozen calendar"
            return report
        report.checks.append("schedule reproduces on the frozen working days; nobody twice on one day")
        report.difference = _check_attempts(draw)
        if report.difference:
            return report
        if draw.attempts:
            report.checks.append(f"{len(draw.attempts)} failed attempt(s) reproduce their failure")
    if record_hash(draw) != draw.record_hash:
        report.difference = "the record was changed after the draw (record hash differs)"
        return report
    performed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw.performed",
                                                           AuditEvent.object_id == str(draw.id)))
    if performed is None or performed.details.get("record_hash") != draw.record_hash:
        report.difference = "the record hash differs from the one written in the audit chain at the draw"
        return report
    report.checks.append("record hash matches the audit chain")
    return report
