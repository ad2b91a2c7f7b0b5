"""Form fields whose options come from the directories or the case (`"x-choices"` in a form schema), so people
pick certified officers instead of typing names and certificate numbers.

- `"officers"`: active officers whose enforcement certificate has not expired (value: certificate number).
- `"team"`: the case's own officers — the drawn team or the case's investigators (value: certificate number).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from app.clock import local_today
from app.directories.models import Officer
from app.extensions import db


def certified_officers() -> list[tuple[str, str]]:
    """(certificate number, name) of every officer who may act today."""
    rows = db.session.execute(select(Officer.certificate_no, Officer.name).where(
        Officer.active.is_(True), Officer.certificate_valid_until >= local_today()).order_by(Officer.certificate_no))
    return [(str(code), str(name)) for code, name in rows]


def team(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(certificate number, name) of the case's officers."""
    officers = data.get("officers") or []
    if officers:
        return [(str(o.get("code", "")), str(o.get("name", ""))) for o in officers]
    return [(str(o.get("certificate_no", "")), str(o.get("name", ""))) for o in data.get("investigators") or []]


def _fill(prop: dict[str, Any], options: list[tuple[str, str]]) -> None:
    prop["enum"] = [code for code, _name in options] or [""]
    prop["enumNames"] = [f"{name}（{code}）" for code, name in options] or ["—"]
    prop["enumNames_en"] = prop["enumNames"]


def with_choices(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The schema with the options of its `x-choices` fields filled in (the stored schema is not changed)."""
    sources = {"officers": certified_officers, "team": lambda: team(data)}
    wanted = [p for p in schema.get("properties", {}).values() if p.get("x-choices")]
    wanted += [sp for p in schema.get("properties", {}).values() if p.get("type") == "array"
               for sp in p.get("items", {}).get("properties", {}).values() if sp.get("x-choices")]
    if not wanted:
        return schema
    expanded = copy.deepcopy(schema)
    cache: dict[str, list[tuple[str, str]]] = {}
    for prop in expanded["properties"].values():
        subs = prop.get("items", {}).get("properties", {}).values() if prop.get("type") == "array" else []
        for target in [prop, *subs]:
            source = target.get("x-choices")
            if source in sources:
                if source not in cache:
                    cache[source] = sources[source]()
                _fill(target, cache[source])
    return expanded
