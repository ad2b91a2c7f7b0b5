"""Turning a form schema into what the task template renders (labels and help in the user's language)."""

from __future__ import annotations

from typing import Any

from app.workflow.services.forms import field_order, widget


def _label(prop: dict[str, Any], locale: str) -> str:
    return str(prop.get("title_en") if locale == "en" and prop.get("title_en") else prop.get("title", ""))


def _options(prop: dict[str, Any], locale: str) -> list[tuple[str, str]]:
    source = prop.get("items", prop) if prop.get("type") == "array" else prop
    values = source.get("enum", [])
    names = source.get("enumNames_en" if locale == "en" else "enumNames") or source.get("enumNames") or values
    return [(str(v), str(n)) for v, n in zip(values, names, strict=False)]


def _yes_no(locale: str) -> list[tuple[str, str]]:
    return [("true", "Yes"), ("false", "No")] if locale == "en" else [("true", "是"), ("false", "否")]


def render_fields(schema: dict[str, Any], data: dict[str, Any], errors: dict[str, list[str]], locale: str,
                  extra_rows: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """One dict per field: name, widget, label, help, required, value, options, rows, errors."""
    required = set(schema.get("required", []))
    ui = schema.get("ui", {})
    help_texts = ui.get("help_en" if locale == "en" else "help", {}) or ui.get("help", {})
    fields = []
    for name in field_order(schema):
        prop = schema["properties"][name]
        kind = widget(schema, name, prop)
        field: dict[str, Any] = {
            "name": name, "widget": kind, "label": _label(prop, locale), "help": help_texts.get(name, ""),
            "required": name in required, "value": data.get(name), "options": _options(prop, locale),
            "errors": errors.get(name, []), "prop": prop,
            "accept": ui.get("accept", {}).get(name), "capture": name in ui.get("capture", []),
            "resumable": name in ui.get("resumable", []),
        }
        if kind == "boolean" or prop.get("type") == "boolean":
            field["options"] = _yes_no(locale)
        if kind == "rows":
            item = prop["items"]
            sub_required = set(item.get("required", []))
            rows = list(data.get(name) or [])
            # one empty row to fill in; "添加一行" re-renders the rows as submitted (with that empty row) plus one
            rows += [{}] * ((extra_rows or {}).get(name, 0) or 1)
            field["columns"] = [
                {"name": sub, "label": _label(sp, locale), "widget": widget(item, sub, sp),
                 "required": sub in sub_required,
                 "options": _options(sp, locale) if "enum" in sp else
                 (_yes_no(locale) if sp.get("type") == "boolean" else [])}
                for sub, sp in item.get("properties", {}).items()
            ]
            field["rows"] = rows
            field["row_errors"] = {k: v for k, v in errors.items() if k.startswith(f"{name}.")}
        fields.append(field)
    return fields
