"""Editing a task form (our JSON-Schema dialect, see app/workflow/services/forms.py) as a list of fields.

A field has a name (the data key the diagram's conditions and documents read), a label, a kind (how it is filled
in), required or not, options, help and, for repeating rows, its columns. Edits are merged into the existing
schema so that what the editor does not show (English titles, limits such as minItems) is kept.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from app.errors import N_, DomainError
from app.workflow.services.forms import FIELD_NAME, FormError, check_form_schema, field_order, widget

KINDS: dict[str, str] = {
    "text": N_("单行文字"), "textarea": N_("多行文字"), "number": N_("数字"), "integer": N_("整数"),
    "date": N_("日期"), "select": N_("下拉选择"), "radio": N_("单选"), "yesno": N_("是/否"),
    "checkbox": N_("勾选确认"), "checkboxes": N_("多选"), "rows": N_("表格（可添加多行）"), "file": N_("附件"),
    "files": N_("多个附件"),
}
COLUMN_KINDS = ("text", "textarea", "number", "integer", "date", "select", "yesno")
WITH_OPTIONS = ("select", "radio", "checkboxes")
_STRIP = ("type", "format", "enum", "enumNames", "enumNames_en", "items", "const", "maxLength", "minItems",
          "maxItems", "minimum", "maximum")


class FormInvalid(DomainError):
    """The edited form has problems; `errors` maps an editor field (e.g. "f2.name") to (msgid, params) pairs."""

    def __init__(self, errors: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
        super().__init__(N_("表单有 %(count)s 处需要修改，未保存。"), count=sum(len(v) for v in errors.values()))
        self.errors = errors


@dataclass
class FieldSpec:
    """One field as the editor shows it."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    options: str = ""  # one per line: "value|标签" (or just "标签": the label is also the value)
    help: str = ""
    max_length: str = ""
    original: str = ""  # the field's name before editing ("" for a new field)
    columns: list[FieldSpec] = field(default_factory=list)


def _kind(schema: dict[str, Any], name: str, prop: dict[str, Any]) -> str:
    shown = widget(schema, name, prop)
    if shown == "checkbox" and prop.get("type") == "boolean" and not prop.get("const"):
        return "yesno" if schema.get("ui", {}).get("widgets", {}).get(name) != "checkbox" else "checkbox"
    if shown == "radio" and prop.get("type") == "boolean":
        return "yesno"
    if shown == "number" and prop.get("type") == "integer":
        return "integer"
    return shown if shown in KINDS else "text"


def _options_text(prop: dict[str, Any]) -> str:
    source = prop.get("items", prop) if prop.get("type") == "array" else prop
    values, names = source.get("enum", []), source.get("enumNames") or []
    lines = []
    for i, value in enumerate(values):
        label = names[i] if i < len(names) else value
        lines.append(str(label) if str(label) == str(value) else f"{value}|{label}")
    return "\n".join(lines)


def fields_from_schema(schema: dict[str, Any]) -> list[FieldSpec]:
    """The schema's fields in display order."""
    required = set(schema.get("required", []))
    help_texts = schema.get("ui", {}).get("help", {})
    specs = []
    for name in field_order(schema):
        prop = schema["properties"][name]
        spec = FieldSpec(name, prop.get("title", ""), _kind(schema, name, prop), name in required,
                         _options_text(prop), help_texts.get(name, ""), str(prop.get("maxLength", "")), name)
        if spec.kind == "rows":
            item = prop.get("items", {})
            sub_required = set(item.get("required", []))
            spec.columns = [FieldSpec(sub, sp.get("title", ""), _kind(item, sub, sp), sub in sub_required,
                                      _options_text(sp), original=sub)
                            for sub, sp in item.get("properties", {}).items()]
        specs.append(spec)
    return specs


def parse_columns(text: str) -> tuple[list[FieldSpec], list[tuple[str, dict[str, Any]]]]:
    """Row columns from lines "名称|标签|类型|必填|值1=选项1;值2=选项2" (types: see COLUMN_KINDS)."""
    columns, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (5 - len(parts))
        name, label, kind, required, options = parts[:5]
        if kind not in COLUMN_KINDS:
            errors.append((N_("第 %(line)s 行：类型“%(kind)s”不可用，可用：text、textarea、number、integer、date、"
                              "select、yesno。"), {"line": number, "kind": kind}))
            continue
        columns.append(FieldSpec(name, label, kind, required in ("必填", "required", "是", "1", "true"),
                                 "\n".join(o.strip().replace("=", "|", 1) for o in options.split(";") if o.strip()),
                                 original=name))
    return columns, errors


def columns_text(columns: list[FieldSpec]) -> str:
    """The line format of `parse_columns`."""
    lines = []
    for c in columns:
        options = ";".join(line.replace("|", "=", 1) for line in c.options.splitlines())
        lines.append("|".join([c.name, c.label, c.kind, "必填" if c.required else "", options]).rstrip("|"))
    return "\n".join(lines)


def _parse_options(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, _sep, label = line.partition("|")
        pairs.append((value.strip(), (label or value).strip()))
    return pairs


def _prop(spec: FieldSpec, old: dict[str, Any], key: str, errors: dict[str, list[tuple[str, dict[str, Any]]]]
          ) -> dict[str, Any]:
    prop = {k: v for k, v in copy.deepcopy(old).items() if k not in _STRIP}
    prop["title"] = spec.label
    kind = spec.kind
    if kind in ("text", "textarea"):
        prop["type"] = "string"
        if spec.max_length.strip():
            if not spec.max_length.strip().isdigit() or not 1 <= int(spec.max_length) <= 20000:
                errors.setdefault(f"{key}.max_length", []).append((N_("最多字数应为 1–20000 的整数。"), {}))
            else:
                prop["maxLength"] = int(spec.max_length)
    elif kind in ("number", "integer"):
        prop["type"] = kind
    elif kind == "date":
        prop.update(type="string", format="date")
    elif kind in WITH_OPTIONS:
        pairs = _parse_options(spec.options)
        if not pairs:
            errors.setdefault(f"{key}.options", []).append((N_("请至少填写一个选项（每行一个）。"), {}))
        values = [v for v, _label in pairs]
        if len(set(values)) != len(values):
            errors.setdefault(f"{key}.options", []).append((N_("选项的值不能重复。"), {}))
        choice = {"type": "string", "enum": values, "enumNames": [label for _v, label in pairs]}
        if kind == "checkboxes":
            prop.update(type="array", items=choice)
        else:
            prop.update(choice)
    elif kind in ("yesno", "checkbox"):
        prop["type"] = "boolean"
        if kind == "checkbox" and spec.required:
            prop["const"] = True  # a confirmation that must be ticked
    elif kind == "file":
        prop.update(type="integer", format="attachment")
    elif kind == "files":
        prop.update(type="array", items={"type": "integer", "format": "attachment"})
    return prop


def schema_from_fields(old: dict[str, Any], title: str, instructions: str, specs: list[FieldSpec]) -> dict[str, Any]:
    """The new schema; FormInvalid names each editor field that is wrong (nothing is changed then)."""
    errors: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    if not title.strip():
        errors.setdefault("title", []).append((N_("请填写表单名称。"), {}))
    schema = {k: v for k, v in copy.deepcopy(old).items() if k not in ("properties", "required", "title")}
    schema.update(title=title.strip(), type="object", properties={})
    if instructions.strip():
        schema["instructions"] = instructions.strip()
    else:
        schema.pop("instructions", None)
    ui = schema.setdefault("ui", {})
    widgets, helps = {}, {}
    required = []
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        key = f"f{i}"
        _check_name(spec, key, seen, errors)
        if spec.kind not in KINDS:
            errors.setdefault(f"{key}.kind", []).append((N_("请选择填写方式。"), {}))
            continue
        prop = _prop(spec, old.get("properties", {}).get(spec.original or spec.name, {}), key, errors)
        if spec.kind == "rows":
            prop = _rows(spec, prop, key, errors)
        schema["properties"][spec.name] = prop
        if spec.required:
            required.append(spec.name)
        if spec.kind in ("textarea", "radio", "checkbox") or (spec.kind == "yesno"):
            widgets[spec.name] = {"yesno": "radio"}.get(spec.kind, spec.kind)
        if spec.help.strip():
            helps[spec.name] = spec.help.strip()
    if not specs:
        errors.setdefault("fields", []).append((N_("表单至少要有一个字段。"), {}))
    if errors:
        raise FormInvalid(errors)
    schema["required"] = required
    ui.update(order=[s.name for s in specs], widgets=widgets, help=helps)
    try:
        check_form_schema(schema)
    except FormError as exc:
        raise FormInvalid({"fields": [(N_("表单定义无效：%(detail)s"), {"detail": str(exc)})]}) from exc
    return schema


def _check_name(spec: FieldSpec, key: str, seen: set[str], errors: dict[str, list[tuple[str, dict[str, Any]]]]
                ) -> None:
    if not FIELD_NAME.match(spec.name or ""):
        errors.setdefault(f"{key}.name", []).append(
            (N_("字段名“%(name)s”只能用小写英文字母、数字和下划线，并以字母开头。"), {"name": spec.name}))
    elif spec.name in seen:
        errors.setdefault(f"{key}.name", []).append((N_("字段名“%(name)s”重复。"), {"name": spec.name}))
    seen.add(spec.name)
    if not spec.label.strip():
        errors.setdefault(f"{key}.label", []).append((N_("请填写字段的标签。"), {}))


def _rows(spec: FieldSpec, prop: dict[str, Any], key: str, errors: dict[str, list[tuple[str, dict[str, Any]]]]
          ) -> dict[str, Any]:
    old_items = prop.get("items", {}) if isinstance(prop.get("items"), dict) else {}
    item: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    seen: set[str] = set()
    if not spec.columns:
        errors.setdefault(f"{key}.columns", []).append((N_("表格至少要有一列（每行写一列）。"), {}))
    for column in spec.columns:
        sub_errors: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        _check_name(column, "c", seen, sub_errors)
        sub = _prop(column, old_items.get("properties", {}).get(column.name, {}), "c", sub_errors)
        if column.kind == "yesno":
            sub.pop("const", None)
        for messages in sub_errors.values():
            errors.setdefault(f"{key}.columns", []).extend(messages)
        item["properties"][column.name] = sub
        if column.required:
            item["required"].append(column.name)
    prop.update(type="array", items=item)
    return prop


FORM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def new_form(title: str) -> dict[str, Any]:
    """A new form with one text field to start from."""
    return {"title": title.strip(), "type": "object",
            "properties": {"remarks": {"type": "string", "title": "备注", "maxLength": 2000}},
            "required": [], "ui": {"order": ["remarks"], "widgets": {"remarks": "textarea"}}}
