"""Re-running a draw from its record: the identical result, or the first difference named."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.draws.models import Draw
from app.draws.services.draws import ALGORITHMS, record_hash
from app.draws.services.generator import derive_seed, sha256
from app.draws.services.pools import pool_hashes
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


def verify(draw: Draw) -> VerifyReport:
    """Check nonce, pools, seed, every stage, the record hash and its audit-chain copy."""
    report = VerifyReport()
    if draw.status in ("prepared",) or draw.result is None:
        report.difference = "the draw has not been performed yet"
        return report
    if sha256(draw.nonce) != draw.nonce_hash:
        report.difference = "the nonce does not match the hash committed before the draw"
        return report
    report.checks.append("nonce matches its commitment")
    if pool_hashes(draw.pools) != draw.pool_hashes:
        changed = [k for k, v in pool_hashes(draw.pools).items() if draw.pool_hashes.get(k) != v]
        report.difference = f"frozen pool changed: {', '.join(changed)}"
        return report
    report.checks.append("pools match their hashes")
    seed = derive_seed(draw.pool_hashes, draw.nonce, draw.witness_entropy or "", draw.algorithm_version)
    if seed != draw.seed:
        report.difference = "the seed does not follow from pools, nonce and witness entropy"
        return report
    report.checks.append("seed derives from pools, nonce and entropy")
    run = ALGORITHMS.get(draw.algorithm_version)
    if run is None:
        report.difference = f"unknown algorithm version {draw.algorithm_version}"
        return report
    difference = _first_difference(run(draw.pools, draw.params, seed), draw.result or {})
    if difference:
        report.difference = difference
        return report
    report.checks.append("stages (a), (b), (c) reproduce exactly")
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
