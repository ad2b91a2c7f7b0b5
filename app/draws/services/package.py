"""The verification package: everything needed to check a draw without this software (docs/draw-specification.md,
tools/verify_draw.py). Version 2 packages are public: pools reduced to the published fields plus salted
commitments; version 1 packages carry the whole frozen pools and are for signed-in viewers only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.draws.models import Draw
from app.draws.services.generator import ALGORITHM_VERSION, sha256
from app.draws.services.pools import public_pools
from app.extensions import db

FORMAT = "draw-verification-package/1"
VERIFIABLE = ("drawn", "redraw_requested", "confirmed", "superseded", "failed", "cancelled")


def has_package(draw: Draw) -> bool:
    """Whether there is anything to verify: a result or at least one failed attempt."""
    return draw.status in VERIFIABLE and (draw.result is not None or bool(draw.attempts))


def is_public(draw: Draw) -> bool:
    """Confirmed version 2 draws are published."""
    return draw.status == "confirmed" and draw.algorithm_version != ALGORITHM_VERSION


def build(draw: Draw, bureau: str) -> dict[str, Any]:
    """The package of one draw (call only when has_package)."""
    v1 = draw.algorithm_version == ALGORITHM_VERSION
    package: dict[str, Any] = {
        "format": FORMAT, "bureau": bureau, "draw": draw.id, "year": draw.year, "scope": draw.scope,
        "status": draw.status, "algorithm": draw.algorithm_version, "params": draw.params,
        "pools": draw.pools if v1 else public_pools(draw.pools), "pool_hashes": draw.pool_hashes,
        "nonce_hash": draw.nonce_hash, "nonce": draw.nonce if draw.result is not None else None,
        "entropy": draw.witness_entropy, "seed": draw.seed, "result": draw.result, "schedule": draw.schedule,
        "attempts": draw.attempts or [], "organiser": draw.organiser_id, "witness": draw.witness_id,
        "redraw_of": draw.redraw_of_id, "record_hash": draw.record_hash,
    }
    if v1:
        package["exclusions"] = draw.exclusions
    else:
        package["exclusions_hash"] = sha256(draw.exclusions)
    return package


def public_draws() -> list[Draw]:
    """Confirmed version 2 draws, newest first, for the public page."""
    return [d for d in db.session.scalars(select(Draw).where(Draw.status == "confirmed").order_by(Draw.id.desc()))
            if is_public(d)]
