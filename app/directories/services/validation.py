"""Turning raw strings (from a form or a spreadsheet row) into typed values, with a reason for each problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from app.directories.models import Expert, InspectionObject, Officer, Tier
from app.directories.services import credit_code
from app.directories.services.specs import Column, ListSpec
from app.errors import N_
from app.extensions import db

EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)


@dataclass
class Lookups:
    """Reference data a row may name: tiers by name, objects by credit code, people by code."""

    tiers: dict[str, int] = field(default_factory=dict)
    objects: dict[str, int] = field(default_factory=dict)
    officers: set[str] = field(default_factory=set)
    experts: set[str] = field(default_factory=set)

    @classmethod
    def for_values(cls, spec: ListSpec, raw_rows: list[dict[str, str]]) -> Lookups:
        """Load only what these rows can refer to."""
        lookups = cls()
        kinds = {c.kind for c in spec.columns}
        if "tier" in kinds:
            lookups.tiers = {name: tid for tid, name in db.session.execute(select(Tier.id, Tier.name))}
        if "object" in kinds:
            codes = {credit_code.normalise(r.get(c.key, "")) for r in raw_rows for c in spec.columns
                     if c.kind == "object"}
            for chunk in _chunks(sorted(codes - {""}), 900):
                lookups.objects.update(db.session.execute(select(InspectionObject.credit_code, InspectionObject.id)
                                                          .where(InspectionObject.credit_code.in_(chunk))).all())
        if spec.kind == "conflicts":
            codes = {r.get("person_code", "").strip() for r in raw_rows} - {""}
            for chunk in _chunks(sorted(codes), 900):
                lookups.officers.update(db.session.scalars(select(Officer.certificate_no)
                                                           .where(Officer.certificate_no.in_(chunk))))
                lookups.experts.update(db.session.scalars(select(Expert.code).where(Expert.code.in_(chunk))))
        return lookups


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def parse_value(column: Column, raw: str, lookups: Lookups) -> tuple[Any, str | None]:
    """(value, None) or (None, reason msgid)."""
    text = (raw or "").strip()
    if text == "":
        if column.required:
            return None, N_("必填项不能为空。")
        return ("" if column.kind in ("text", "credit_code", "choice") else None), None
    if len(text) > column.max_length and column.kind not in ("object",):
        return None, N_("内容过长。")
    if column.kind == "credit_code":
        code = credit_code.normalise(text)
        reason = credit_code.problem(code)
        return (None, reason) if reason else (code, None)
    if column.kind == "object":
        code = credit_code.normalise(text)
        reason = credit_code.problem(code)
        if reason:
            return None, reason
        if code not in lookups.objects:
            return None, N_("名录库中没有这个统一社会信用代码的单位。")
        return lookups.objects[code], None
    if column.kind == "date":
        try:
            value = date.fromisoformat(text.replace("/", "-")[:10])
        except ValueError:
            return None, N_("日期格式应为 YYYY-MM-DD。")
        if not EARLIEST <= value <= LATEST:
            return None, N_("日期不在合理范围内（1990–2100 年）。")
        return value, None
    if column.kind == "int":
        try:
            return int(text), None
        except ValueError:
            return None, N_("请输入整数。")
    if column.kind == "choice":
        for code, label in column.choices:
            if text in (code, label):
                return code, None
        return None, N_("不是允许的选项。")
    if column.kind == "tier":
        if text.isdigit() and int(text) in lookups.tiers.values():
            return int(text), None
        if text not in lookups.tiers:
            return None, N_("没有这个职务层次。")
        return lookups.tiers[text], None
    return text, None


def parse_row(spec: ListSpec, raw: dict[str, str], lookups: Lookups, today: date) -> tuple[dict[str, Any],
                                                                                       dict[str, str]]:
    """Typed values and {column key: reason} for one record."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column in spec.columns:
        value, reason = parse_value(column, raw.get(column.key, ""), lookups)
        if reason:
            errors[column.key] = reason
        else:
            values[column.key] = value
    if spec.kind == "results" and "inspected_on" in values and values["inspected_on"] > today:
        errors["inspected_on"] = N_("检查日期不能晚于今天。")
    if spec.kind == "conflicts" and not errors.keys() & {"person_kind", "person_code"}:
        known = lookups.officers if values["person_kind"] == "officer" else lookups.experts
        if values["person_code"] not in known:
            errors["person_code"] = N_("名录库中没有这个执法证号或专家编号。")
    return values, errors


def natural_key(spec: ListSpec, values: dict[str, Any]) -> tuple[Any, ...]:
    """The natural key of a record's values."""
    return tuple(values.get(k) for k in spec.natural_key)
