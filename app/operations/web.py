"""`/healthz`: is the database reachable and is a timer worker alive (for monitoring and the deploy check)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from app.access import public
from app.operations.services import health

bp = Blueprint("operations", __name__)


@bp.route("/healthz")
@public
def healthz() -> Any:
    """200 with {"status": "ok"} when the database answers and a worker beat lately, else 503 saying which."""
    report = health()
    healthy = report["database"] == "ok" and report["worker"] == "ok"
    report["status"] = "ok" if healthy else "degraded"
    response = jsonify(report)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
