"""The audit log for auditors and administrators: browse, filter, export, verify the chain."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from app.access import roles
from app.audit import exporting, services
from app.audit.labels import action_label, detail_pairs, object_label
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.clock import to_utc
from app.web_helpers import parse_day

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50
FILTER_KEYS = ("start", "end", "actor_id", "case_id", "action", "object_type", "object_id")


def _date(name: str, errors: dict[str, str]) -> date | None:
    return parse_day((request.args.get(name) or "").strip(), name, errors)


def _filters() -> tuple[services.EventFilter, dict[str, str], dict[str, str]]:
    """(the filter, the raw values to keep in links and forms, per-field errors)."""
    errors: dict[str, str] = {}
    raw = {k: (request.args.get(k) or "").strip() for k in FILTER_KEYS}
    start, end = _date("start", errors), _date("end", errors)
    if start and end and end < start:
        errors["end"] = _("结束日期不能早于 %(d)s。", d=start.isoformat())
        end = None
    where = services.EventFilter(
        start=to_utc(datetime.combine(start, time.min)) if start else None,
        end=to_utc(datetime.combine(end + timedelta(days=1), time.min)) if end else None,
        actor_id=int(raw["actor_id"]) if raw["actor_id"].isdigit() else None,
        case_id=int(raw["case_id"].lstrip("#")) if raw["case_id"].lstrip("#").isdigit() else None,
        action=raw["action"] or None, object_type=raw["object_type"] or None, object_id=raw["object_id"] or None)
    if raw["case_id"] and where.case_id is None:
        errors["case_id"] = _("案件编号应为数字，例如 12。")
    return where, {k: v for k, v in raw.items() if v}, errors


def _page(report: Any = None, anchors: Any = None) -> Any:
    where, kept, errors = _filters()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    items, total = services.search_events(where, page=page, per_page=PER_PAGE)
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    actions = [(a, _(action_label(a))) for a in services.recorded_actions()]
    return render_template("audit/events.html", events=items, total=total, page=page, pages=pages, filters=kept,
                           errors=errors, actions=actions, actors=services.recorded_actors(),
                           confirm_form=ConfirmForm(), report=report, anchors=anchors, action_label=action_label,
                           object_label=object_label, detail_pairs=detail_pairs)


@bp.route("/")
@roles(Role.AUDITOR, Role.ADMIN)
def events() -> Any:
    """Newest first, filterable by date range, person, case, action and object."""
    return _page()


@bp.route("/verify", methods=["GET", "POST"])
@roles(Role.AUDITOR, Role.ADMIN)
def verify() -> Any:
    """Recompute the whole chain and show the result above the same filtered list (GET goes back to the list)."""
    if request.method == "GET":
        return redirect(url_for("audit.events", **request.args))
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("audit.events", **request.args))
    key = current_app.config.get("AUDIT_ANCHOR_KEY")
    anchors = services.verify_anchors(key, current_app.config["AUDIT_ANCHOR_DIR"]) if key else None
    return _page(services.verify_chain(), anchors)


@bp.route("/export.xlsx")
@roles(Role.AUDITOR, Role.ADMIN)
def export() -> Any:
    """The filtered events as an Excel workbook (oldest first, at most 100,000 rows)."""
    where, _kept, _errors = _filters()
    data = exporting.workbook(services.iter_events(where, exporting.MAX_EXPORT_ROWS), _)
    return send_file(io.BytesIO(data), as_attachment=True, download_name="audit-log.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
