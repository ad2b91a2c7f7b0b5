"""Task forms: one JSON Schema per user task (forms/*.json) with UI hints; parsing and validating submissions.

A submission arrives as flat fields (`f.<name>`, `f.<name>.<row>.<sub>` for repeating rows) so the form
works without JavaScript. Values are coerced to the schema's types, then validated with jsonschema;
errors come back per field, in Chinese msgids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from app.errors import N_, ValidationFailed

DEFAULT_MAX_LENGTH = 2000
LONG_TEXT = 200  # a string field allowed more characters than this is shown as a text area
TEXTAREA_MAX_LENGTH = 20000
MAX_ROWS = 200
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class FormError(ValueError):
    """A form definition that cannot be used."""


class MultiMapping(Protocol):
    """What a submitted form looks like (Werkzeug's MultiDict satisfies it)."""

    def getlist(self, key: str) -> list[Any]: ...
    def keys(self) -> Any: ...


def check_form_schema(schema: dict[str, Any]) -> None:
    """Refuse a form definition that is not a valid JSON Schema of the shape we render."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise FormError(f"not a valid JSON Schema: {exc.message}") from exc
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise FormError("a form schema is an object with properties")
    for name, prop in schema["properties"].items():
        if not FIELD_NAME.match(name):
            raise FormError(f"field name {name!r}: use lower-case letters, digits and _")
        if not prop.get("title"):
            raise FormError(f"field {name!r} needs a title")
        if prop.get("type") == "array" and prop.get("items", {}).get("type") == "object":
            for sub in prop["items"].get("properties", {}):
                if not FIELD_NAME.match(sub):
                    raise FormError(f"field {name}.{sub}: use lower-case letters, digits and _")


def field_order(schema: dict[str, Any]) -> list[str]:
    """Field names in display order (ui.order first, then the rest)."""
    order = [n for n in schema.get("ui", {}).get("order", []) if n in schema["properties"]]
    return order + [n for n in schema["properties"] if n not in order]


def widget(schema: dict[str, Any], name: str, prop: dict[str, Any]) -> str:
    """How a field is shown: text, textarea, number, date, select, radio, checkbox, checkboxes, rows, file, files."""
    hinted = schema.get("ui", {}).get("widgets", {}).get(name)
    kind = prop.get("type")
    if prop.get("format") == "attachment":
        return "file"
    if kind == "array":
        items = prop.get("items", {})
        if items.get("format") == "attachment":
            return "files"
        if items.get("type") == "object":
            return "rows"
        return "checkboxes"
    if hinted:
        return str(hinted)
    if kind == "boolean":
        return "radio"
    if "enum" in prop:
        return "select"
    if kind in ("number", "integer"):
        return "number"
    if prop.get("format") == "date":
        return "date"
    if kind == "string" and int(prop.get("maxLength", 0)) > LONG_TEXT:
        return "textarea"  # long text is typed comfortably (and on a phone at all) only in a text area
    return "text"


def _max_length(schema: dict[str, Any], name: str, prop: dict[str, Any]) -> int:
    if "maxLength" in prop:
        return int(prop["maxLength"])
    return TEXTAREA_MAX_LENGTH if widget(schema, name, prop) == "textarea" else DEFAULT_MAX_LENGTH


def _coerce(value: str, prop: dict[str, Any], errors: list[str]) -> Any:
    """One submitted string → the schema's type; appends a message and returns None when it cannot."""
    text = value.strip()
    if text == "":
        return None
    kind = prop.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "boolean":
            if text in ("true", "1", "on", "yes"):
                return True
            if text in ("false", "0", "no"):
                return False
            raise ValueError(text)
    except ValueError:
        errors.append(N_("请输入数字。") if kind != "boolean" else N_("请选择是或否。"))
        return None
    if prop.get("format") == "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            errors.append(N_("日期格式应为 YYYY-MM-DD。"))
            return None
    return text


def parse_submission(schema: dict[str, Any], form: MultiMapping,
                     store_file: Callable[[str, Any], int] | None = None, files: MultiMapping | None = None,
                     existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """Flat form fields → typed data; raises ValidationFailed with per-field messages."""
    properties = schema["properties"]
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    known = set()
    for name in field_order(schema):
        prop = properties[name]
        kind = widget(schema, name, prop)
        key = f"f.{name}"
        known.add(key)
        messages: list[str] = []
        if kind in ("file", "files"):
            uploads = [f for f in (files.getlist(key) if files is not None else []) if getattr(f, "filename", "")]
            kept = [int(v) for v in form.getlist(f"{key}.keep") if str(v).isdigit()]
            known.add(f"{key}.keep")
            ids = kept + [store_file(name, upload) for upload in uploads] if store_file else kept
            if kind == "file":
                if len(ids) > 1:
                    messages.append(N_("只能上传一个文件。"))
                value: Any = ids[0] if ids else None
            else:
                value = ids or None
        elif kind == "checkboxes":
            value = [v for v in form.getlist(key) if v != ""] or None
        elif kind == "rows":
            value = _parse_rows(name, prop, form, known, errors)
        else:
            raw = form.getlist(key)
            if len(raw) > 1:
                messages.append(N_("此项只能有一个值。"))
            value = _coerce(raw[0], prop, messages) if raw else None
            if isinstance(value, str) and len(value) > _max_length(schema, name, prop):
                messages.append(N_("内容过长。"))
        if messages:
            errors[name] = messages
        elif value is not None:
            data[name] = value
    extra = sorted(k for k in form.keys() if k.startswith("f.") and k not in known
                   and not any(k.startswith(f"f.{n}.") for n in properties))
    if extra:
        errors["_form"] = [N_("提交了表单中不存在的字段。")]
    if errors:
        raise ValidationFailed(errors)
    validate_data(schema, data)
    return data


def _parse_rows(name: str, prop: dict[str, Any], form: MultiMapping, known: set[str],
                errors: dict[str, list[str]]) -> list[dict[str, Any]] | None:
    item = prop["items"]
    subs = item.get("properties", {})
    rows: dict[int, dict[str, Any]] = {}
    pattern = re.compile(rf"^f\.{re.escape(name)}\.(\d+)\.([a-z][a-z0-9_]*)$")
    for key in form.keys():
        match = pattern.match(key)
        if not match:
            continue
        known.add(key)
        index, sub = int(match.group(1)), match.group(2)
        if sub not in subs or index >= MAX_ROWS:
            errors.setdefault(name, []).append(N_("提交了表单中不存在的字段。"))
            continue
        messages: list[str] = []
        value = _coerce(form.getlist(key)[0], subs[sub], messages)
        if messages:
            errors.setdefault(f"{name}.{index}.{sub}", []).extend(messages)
        if value is not None:
            rows.setdefault(index, {})[sub] = value
    result = [rows[i] for i in sorted(rows) if rows[i]]
    return result or None


def _field_key(error: Any) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        if missing:
            path.append(missing.group(1))
    return ".".join(path) or "_form"


_MESSAGES = {
    "required": N_("此项为必填项。"),
    "maxLength": N_("内容过长。"),
    "minLength": N_("内容过短。"),
    "minimum": N_("数值过小。"),
    "maximum": N_("数值过大。"),
    "exclusiveMinimum": N_("数值过小。"),
    "exclusiveMaximum": N_("数值过大。"),
    "enum": N_("请选择有效的选项。"),
    "type": N_("格式不正确。"),
    "additionalProperties": N_("提交了表单中不存在的字段。"),
    "maxItems": N_("条目过多。"),
    "minItems": N_("条目不足。"),
    "pattern": N_("格式不正确。"),
    "uniqueItems": N_("有重复的条目。"),
    "const": N_("此项必须勾选。"),
}


def validate_data(schema: dict[str, Any], data: dict[str, Any]) -> None:
    """Validate typed data against the schema (also for API submissions); ValidationFailed per field."""
    strict = {k: v for k, v in schema.items() if k not in ("ui", "title_en", "instructions")}
    strict.setdefault("additionalProperties", False)
    errors: dict[str, list[str]] = {}
    for error in Draft202012Validator(strict).iter_errors(data):
        errors.setdefault(_field_key(error), []).append(_MESSAGES.get(str(error.validator), N_("格式不正确。")))
    for name, prop in schema["properties"].items():
        value = data.get(name)
        if isinstance(value, str) and len(value) > _max_length(schema, name, prop):
            errors.setdefault(name, []).append(N_("内容过长。"))
    if errors:
        raise ValidationFailed(errors)
