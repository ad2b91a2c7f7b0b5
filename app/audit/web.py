"""The audit log for auditors and administrators: browse, filter, verify the chain."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request

from app.access import roles
from app.audit import services
from app.auth.forms import ConfirmForm
from app.auth.roles import Role

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50


@bp.route("/")
@roles(Role.AUDITOR, Role.ADMIN)
def events() -> Any:
    """Newest first, filterable by action, object and actor."""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    filters = {k: (request.args.get(k) or "").strip() or None for k in ("action", "object_type", "object_id")}
    actor_id = request.args.get("actor_id", type=int)
    items, total = services.list_events(page=page, per_page=PER_PAGE, actor_id=actor_id, **filters)
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    return render_template("audit/events.html", events=items, total=total, page=page, pages=pages,
                           filters=filters, confirm_form=ConfirmForm(), report=None)


@bp.route("/verify", methods=["POST"])
@roles(Role.AUDITOR, Role.ADMIN)
def verify() -> Any:
    """Recompute the whole chain and show the result."""
    report = services.verify_chain()
    key = current_app.config.get("AUDIT_ANCHOR_KEY")
    anchors = services.verify_anchors(key, current_app.config["AUDIT_ANCHOR_DIR"]) if key else None
    items, total = services.list_events(page=1, per_page=PER_PAGE)
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    return render_template("audit/events.html", events=items, total=total, page=1, pages=pages, filters={},
                           confirm_form=ConfirmForm(), report=report, anchors=anchors)
