"""Creating, changing, (de)activating and listing directory records; every change audited old → new."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, tuple_

from app.audit.services import record_event
from app.auth.models import User
from app.clock import utcnow
from app.directories.models import Officer
from app.directories.services.specs import ListSpec
from app.directories.services.validation import Lookups, natural_key, parse_row
from app.errors import N_, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db

PER_PAGE = 50


def require_editor(actor: User, spec: ListSpec) -> None:
    """Only the section that keeps a list may change it."""
    if not actor.role_set & spec.editors:
        raise PermissionDenied(N_("您的角色不能修改此名录。"))


def plain(value: Any) -> Any:
    """A value as it appears in audit details and exports."""
    return value.isoformat() if isinstance(value, date) else value


def snapshot(spec: ListSpec, record: Any) -> dict[str, Any]:
    """The record's column values."""
    return {c.key: plain(getattr(record, c.key)) for c in spec.columns} | {"active": record.active}


def find_by_key(spec: ListSpec, key: tuple[Any, ...]) -> Any:
    """The record with this natural key, or None."""
    conditions = [getattr(spec.model, k) == v for k, v in zip(spec.natural_key, key, strict=True)]
    return db.session.scalar(select(spec.model).where(*conditions))


def get(spec: ListSpec, record_id: int) -> Any:
    """The record or NotFound."""
    record = db.session.get(spec.model, record_id)
    if record is None:
        raise NotFound(N_("记录不存在。"))
    return record


def _validated(spec: ListSpec, raw: dict[str, str]) -> dict[str, Any]:
    values, errors = parse_row(spec, raw, Lookups.for_values(spec, [raw]), utcnow().date())
    if errors:
        raise ValidationFailed({k: [v] for k, v in errors.items()})
    return values


def create(actor: User, spec: ListSpec, raw: dict[str, str]) -> Any:
    """A new record from raw strings; the natural key must be new."""
    require_editor(actor, spec)
    values = _validated(spec, raw)
    if find_by_key(spec, natural_key(spec, values)) is not None:
        raise ValidationFailed({spec.natural_key[-1] if spec.kind != "conflicts" else "person_code":
                                [N_("已存在相同编号的记录。")]})
    record = spec.model(**values, active=True)
    db.session.add(record)
    db.session.flush()
    record_event("directory.created", actor=actor, object_type=spec.kind, object_id=record.id,
                 details={"values": snapshot(spec, record)})
    return record


def update(actor: User, spec: ListSpec, record: Any, raw: dict[str, str]) -> dict[str, Any]:
    """Change a record; returns the changes (old → new), audited when there are any."""
    require_editor(actor, spec)
    values = _validated(spec, raw)
    other = find_by_key(spec, natural_key(spec, values))
    if other is not None and other.id != record.id:
        raise ValidationFailed({spec.natural_key[-1]: [N_("已存在相同编号的记录。")]})
    return _apply(actor, spec, record, values)


def _apply(actor: User | None, spec: ListSpec, record: Any, values: dict[str, Any], *, audit: bool = True
           ) -> dict[str, Any]:
    before = snapshot(spec, record)
    for key, value in values.items():
        setattr(record, key, value)
    after = snapshot(spec, record)
    changes = {k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]}
    if changes and audit:
        db.session.flush()
        record_event("directory.updated", actor=actor, object_type=spec.kind, object_id=record.id,
                     details={"changes": changes})
    return changes


def set_active(actor: User, spec: ListSpec, record: Any, active: bool) -> None:
    """Deactivate or reactivate (records are never deleted)."""
    require_editor(actor, spec)
    if record.active == active:
        return
    record.active = active
    record_event("directory.reactivated" if active else "directory.deactivated", actor=actor, object_type=spec.kind,
                 object_id=record.id, details={"key": [plain(getattr(record, k)) for k in spec.natural_key]})


@dataclass(frozen=True)
class Query:
    """What a list page or the API asks for."""

    q: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    active: str = "yes"  # yes | no | all
    expiring_days: int | None = None
    sort: str = ""
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE


def _matches(spec: ListSpec, key: str, text: str) -> Any:
    """Codes match from their start (an index serves it); other text anywhere. Plain LIKE: Chinese has no case,
    and ILIKE/lower() would scan 100,000 rows twice as slowly."""
    column = getattr(spec.model, key)
    if spec.column(key).kind == "credit_code" or key in ("code", "certificate_no"):
        return column.startswith(text.upper() if spec.column(key).kind == "credit_code" else text, autoescape=True)
    return column.contains(text, autoescape=True)


def _statement(spec: ListSpec, query: Query) -> Select[Any]:
    model = spec.model
    statement = select(model)
    if query.active in ("yes", "no"):
        statement = statement.where(model.active.is_(query.active == "yes"))
    if query.q:
        statement = statement.where(or_(*(_matches(spec, key, query.q.strip()) for key in spec.search)))
    allowed = set(spec.filters)
    for key, value in query.filters:
        if key in allowed and value != "":
            column = getattr(model, key)
            statement = statement.where(column == (int(value) if key.endswith("_id") and value.isdigit() else value))
    if query.expiring_days is not None and model is Officer:
        today = utcnow().date()
        limit = today + timedelta(days=query.expiring_days)
        statement = statement.where(Officer.certificate_valid_until <= limit)
    return statement


def search(spec: ListSpec, query: Query) -> tuple[list[Any], int]:
    """One page of records and the total."""
    statement = _statement(spec, query)
    sort_key = query.sort if query.sort in {c.key for c in spec.columns} | {"id"} else spec.default_sort
    column = getattr(spec.model, sort_key)
    order = column.desc() if query.descending else column.asc()
    offset = (max(1, query.page) - 1) * query.per_page
    if query.q:
        # A text search scans the table anyway: count in the same pass (a window) instead of a second scan.
        counted = statement.add_columns(func.count().over().label("total"))
        result = db.session.execute(counted.order_by(order, spec.model.id).offset(offset).limit(query.per_page)).all()
        if result or offset == 0:
            return [row[0] for row in result], (result[0][1] if result else 0)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = db.session.scalars(statement.order_by(order, spec.model.id).offset(offset).limit(query.per_page)).all()
    return list(rows), total


def existing_by_keys(spec: ListSpec, keys: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], Any]:
    """Records whose natural keys are among these (for upserts)."""
    found: dict[tuple[Any, ...], Any] = {}
    columns = [getattr(spec.model, k) for k in spec.natural_key]
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        condition = columns[0].in_([k[0] for k in chunk]) if len(columns) == 1 else tuple_(*columns).in_(chunk)
        for record in db.session.scalars(select(spec.model).where(condition)):
            found[tuple(getattr(record, k) for k in spec.natural_key)] = record
    return found
