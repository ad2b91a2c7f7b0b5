"""Reading the case list's query string into a CaseQuery (web layer: dates are the bureau's local dates)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from app.clock import to_utc
from app.web_helpers import parse_day
from app.workflow.services.case_list import SORTS, CaseQuery

CASES_PER_PAGE = 50
KEYS = ("q", "process", "status", "start", "end", "overdue", "person", "sort", "dir", "bureau",
        "source", "decision", "amount_min", "amount_max", "review", "step", "role", "kind", "on")


def _amount(raw: str, name: str, errors: dict[str, str]) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[name] = _("金额应为数字，例如 5000。")
        return None
    if not value.is_finite() or value < 0 or value > Decimal("1e12"):
        errors[name] = _("金额应为数字，例如 5000。")
        return None
    return value


def case_query(args: Any) -> tuple[CaseQuery, dict[str, str], dict[str, str]]:
    """(the query, the values to keep in links and the form, per-field errors)."""
    raw = {k: (args.get(k) or "").strip() for k in KEYS}
    errors: dict[str, str] = {}
    start, end = parse_day(raw["start"], "start", errors), parse_day(raw["end"], "end", errors)
    if start and end and end < start:
        errors["end"] = _("结束日期不能早于 %(d)s。", d=start.isoformat())
        end = None
    query = CaseQuery(
        text=raw["q"][:100], process_id=raw["process"] or None, status=raw["status"] or None,
        start=to_utc(datetime.combine(start, time.min)) if start else None,
        end=to_utc(datetime.combine(end + timedelta(days=1), time.min)) if end else None,
        overdue=raw["overdue"] == "1", person_id=int(raw["person"]) if raw["person"].isdigit() else None,
        sort=raw["sort"] if raw["sort"] in SORTS else "created", descending=raw["dir"] != "asc",
        bureau_id=int(raw["bureau"]) if raw["bureau"].isdigit() else None,
        source=raw["source"][:20] or None, decision=raw["decision"][:20] or None,
        amount_min=_amount(raw["amount_min"], "amount_min", errors),
        amount_max=_amount(raw["amount_max"], "amount_max", errors),
        review=raw["review"][:20] or None, step=raw["step"][:200] or None, role=raw["role"][:32] or None,
        kind=raw["kind"][:20] or None, on=raw["on"] if raw["on"] in ("created", "review", "task") else "created")
    return query, {k: v for k, v in raw.items() if v}, errors
