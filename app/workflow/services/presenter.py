"""Submitted data as people read it: each value with its form's label and a kind that says how to format it.

The forms of a definition version are the catalog of labels: a value is shown under the title of the field that
collected it (Chinese, or `title_en` in English), a choice by its label, rows as a table, attachments as files.
Variables that no form collects (what a case starts with, what a script computes) take their labels from
`VARIABLE_LABELS`. Unknown internal variables are never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.errors import N_
from app.workflow.services.forms import field_order

# Variables set when a case starts or by a script task, with the kind of value they hold.
VARIABLE_LABELS: dict[str, tuple[str, str]] = {
    "object_name": (N_("检查对象"), "text"),
    "object_code": (N_("统一社会信用代码"), "text"),
    "planned_date": (N_("计划检查日期"), "date"),
    "officers": (N_("检查人员"), "people"),
    "experts": (N_("专家"), "people"),
    "rect_deadline": (N_("整改期限"), "date"),
    "rect_round": (N_("整改轮次"), "number"),
    "major": (N_("重大执法决定"), "bool"),
    "late_days": (N_("逾期缴纳天数"), "number"),
    "late_penalty": (N_("加处罚款"), "money"),
    "filed_on": (N_("立案日期"), "date"),
    "total_paid": (N_("已缴纳金额"), "money"),
    "outstanding": (N_("尚欠金额"), "money"),
    "accrued_on": (N_("加处罚款计算至"), "date"),
    "pay_due": (N_("缴款期限"), "date"),
    "remedies_end": (N_("复议、诉讼期限届满日"), "date"),
    "demand_deadline": (N_("催告期限"), "date"),
    "pay_deadline": (N_("可申请强制执行日（期限届满）"), "date"),
}
MONEY_HINTS = ("金额", "罚款", "（元")


@dataclass
class Shown:
    """One value ready for a template: label, kind (text, long, date, money, number, bool, choice, rows, files,
    people) and the value in the shape the kind needs."""

    name: str
    label: str
    kind: str
    value: Any
    changed: bool = False
    columns: list[str] = field(default_factory=list)
    msgid: bool = False  # the label is a msgid to translate (not a form's own title)


_CATALOGS: dict[int, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {}


def field_catalog(forms: dict[str, Any], locale: str = "zh_CN") -> dict[str, dict[str, Any]]:
    """Every field of every form of a definition version, by name (the first form that defines it wins).

    Remembered per forms object for the life of that object (a definition's forms never change)."""
    cached = _CATALOGS.get(id(forms))
    if cached is not None and cached[0] is forms:
        return cached[1]
    catalog: dict[str, dict[str, Any]] = {}
    for key in sorted(forms):
        schema = forms[key]
        for name in field_order(schema):
            prop = schema["properties"][name]
            catalog.setdefault(name, {**prop, "_widget": schema.get("ui", {}).get("widgets", {}).get(name)})
    if len(_CATALOGS) > 64:
        _CATALOGS.clear()
    _CATALOGS[id(forms)] = (forms, catalog)
    return catalog


def _label(prop: dict[str, Any], locale: str) -> str:
    if locale.startswith("en") and prop.get("title_en"):
        return str(prop["title_en"])
    return str(prop.get("title", ""))


def _choice(prop: dict[str, Any], value: Any, locale: str) -> str:
    names = prop.get("enumNames_en" if locale.startswith("en") else "enumNames") or prop.get("enumNames") or []
    options = prop.get("enum", [])
    if value in options and options.index(value) < len(names):
        return str(names[options.index(value)])
    return str(value)


def _kind(prop: dict[str, Any], name: str) -> str:
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items", {})
        if items.get("format") == "attachment":
            return "files"
        if items.get("type") == "object":
            return "rows"
        return "choices"
    if prop.get("format") == "attachment":
        return "files"
    if "enum" in prop:
        return "choice"
    if kind == "boolean":
        return "bool"
    if kind in ("number", "integer"):
        return "money" if prop.get("format") == "money" or any(h in prop.get("title", "") for h in MONEY_HINTS) \
            else "number"
    if prop.get("format") == "date":
        return "date"
    if prop.get("_widget") == "textarea" or prop.get("maxLength", 0) > 200:
        return "long"
    return "text"


def show_value(name: str, prop: dict[str, Any], value: Any, locale: str,
               attachment: Callable[[int], Any]) -> Shown | None:
    """One value formatted by its field definition; None when there is nothing to show."""
    if value is None or value == "" or value == []:
        return None
    kind = _kind(prop, name)
    label = _label(prop, locale)
    if kind == "choice":
        return Shown(name, label, kind, _choice(prop, value, locale))
    if kind == "choices":
        items = prop.get("items", {})
        values = value if isinstance(value, list) else [value]
        return Shown(name, label, kind, [_choice(items, v, locale) for v in values])
    if kind == "files":
        ids = value if isinstance(value, list) else [value]
        return Shown(name, label, kind, [a for a in (attachment(int(i)) for i in ids if str(i).isdigit()) if a])
    if kind == "rows":
        sub = prop.get("items", {}).get("properties", {})
        order = list(sub)
        rows = []
        for row in value if isinstance(value, list) else []:
            cells = [show_value(k, {**sub[k], "_widget": None}, row.get(k), locale, attachment) if isinstance(row, dict)
                     else None for k in order]
            rows.append(cells)
        return Shown(name, label, kind, rows, columns=[_label(sub[k], locale) for k in order])
    return Shown(name, label, kind, value)


def present(forms: dict[str, Any], data: dict[str, Any], locale: str, attachment: Callable[[int], Any],
            names: Iterable[str] | None = None, schema: dict[str, Any] | None = None,
            changed: Iterable[str] = ()) -> list[Shown]:
    """The labelled, formatted values of `data`: the fields `names` (in that order), else those of `schema`,
    else every known field present in the data."""
    catalog = field_catalog(forms, locale)
    if schema is not None:
        catalog = {**catalog, **{name: {**prop, "_widget": schema.get("ui", {}).get("widgets", {}).get(name)}
                                 for name, prop in schema.get("properties", {}).items()}}
    if names is None:
        names = field_order(schema) if schema is not None else [
            *[k for k in VARIABLE_LABELS if k in data], *[k for k in catalog if k in data]]
    marked = set(changed)
    shown: list[Shown] = []
    seen: set[str] = set()
    for name in names:
        if name in seen or name not in data:
            continue
        seen.add(name)
        if name in catalog:
            item = show_value(name, catalog[name], data[name], locale, attachment)
        elif name in VARIABLE_LABELS:
            label, kind = VARIABLE_LABELS[name]
            value = data[name]
            if kind == "people":
                value = "、".join(str(p.get("name", "")) for p in value if isinstance(p, dict)) \
                    if isinstance(value, list) else str(value)
                kind = "text"
            item = None if value in (None, "", []) else Shown(name, label, kind, value, msgid=True)
        else:
            item = None
        if item is not None:
            item.changed = name in marked
            shown.append(item)
    return shown
