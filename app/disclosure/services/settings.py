"""The bureau's disclosure periods: deadlines in working days, keeping periods in years (one row per bureau)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.bureaus.context import current
from app.clock import utcnow
from app.disclosure.models import DisclosureSettings
from app.errors import N_, ValidationFailed
from app.extensions import db


@dataclass(frozen=True)
class FieldMessage:
    """A field message with parameters (the web layer translates msgid and the label, then fills them in)."""

    msgid: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Period:
    """One setting: its name, label, unit and the range an administrator may choose."""

    name: str
    label: str
    default: int
    low: int
    high: int


PERIODS: tuple[Period, ...] = (
    Period("penalty_days", N_("行政处罚决定公示期限（工作日）"), 7, 1, 60),
    Period("other_days", N_("其他决定和抽查结果公示期限（工作日）"), 20, 1, 60),
    Period("withdraw_days", N_("决定变更或撤销后撤回期限（工作日）"), 3, 1, 30),
    Period("directory_days", N_("执法人员名录变更后更新期限（工作日）"), 5, 1, 30),
    Period("keep_years", N_("公示期满撤下（年）"), 5, 1, 30),
    Period("keep_years_person", N_("当事人为自然人时公示期满撤下（年）"), 2, 1, 30),
)


@dataclass(frozen=True)
class Periods:
    """The periods in force for the working bureau."""

    penalty_days: int = 7
    other_days: int = 20
    withdraw_days: int = 3
    directory_days: int = 5
    keep_years: int = 5
    keep_years_person: int = 2


def _row(bureau_id: int | None = None) -> DisclosureSettings | None:
    bureau_id = bureau_id if bureau_id is not None else current().bureau_id
    if bureau_id is None:
        return None
    return db.session.scalar(select(DisclosureSettings).where(DisclosureSettings.bureau_id == bureau_id))


def periods(bureau_id: int | None = None) -> Periods:
    """The working bureau's periods (defaults before the first save)."""
    row = _row(bureau_id)
    if row is None:
        return Periods()
    return Periods(**{p.name: getattr(row, p.name) for p in PERIODS})


def update(actor: User, raw: dict[str, Any]) -> Periods:
    """Save the periods; each must be a whole number in its range (a precise message per field, nothing saved)."""
    values: dict[str, int] = {}
    errors: dict[str, list[Any]] = {}
    for period in PERIODS:
        text = str(raw.get(period.name, "")).strip()
        if not text.isdigit() or not period.low <= int(text) <= period.high:
            errors[period.name] = [FieldMessage(N_("%(label)s：请填写 %(low)s 至 %(high)s 之间的整数。"),
                                                {"label": period.label, "low": period.low, "high": period.high})]
            continue
        values[period.name] = int(text)
    if errors:
        raise ValidationFailed(errors)
    row = _row()
    old = periods()
    if row is None:
        row = DisclosureSettings()
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at, row.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("disclosure.settings_updated", actor=actor, object_type="disclosure_settings", object_id=row.id,
                 details={"old": old.__dict__, "new": values})
    return periods()
