"""Fields a document needs that the case's own forms never asked for (a case started before they were added).

When a step issues documents whose required data is blank in the case and the step's form does not collect it,
the form is extended with those fields, their definitions taken from the forms that collect them (the case's own
version, else the newest published version of the procedure). Computed from the case on the server — never from
the request — so a submission cannot overwrite other case data this way.
"""

from __future__ import annotations

import copy
from typing import Any

from app.documents.services.documents import blank_fields
from app.documents.services.numbers import DOC_TYPES
from app.errors import NotFound
from app.workflow.models import Case
from app.workflow.services.definitions import published

SUPPLEMENT_MARK = "x-supplement"


def _documents(properties: dict[str, Any]) -> list[str]:
    return [d.strip() for d in str(properties.get("documents", "")).split(",") if d.strip()]


def _definitions(case: Case) -> list[dict[str, dict[str, Any]]]:
    catalogs = [case.definition.forms]
    try:
        newest = published(case.definition.process_id)
    except NotFound:
        return catalogs
    if newest.id != case.definition.id:
        catalogs.append(newest.forms)
    return catalogs


def _property(catalogs: list[dict[str, dict[str, Any]]], key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The field's schema and the form it comes from (for its widget and help)."""
    for forms in catalogs:
        for form in forms.values():
            prop = form.get("properties", {}).get(key)
            if prop is not None:
                return copy.deepcopy(prop), form
    return None


def extend(schema: dict[str, Any] | None, case: Case, task_properties: dict[str, Any],
           data: dict[str, Any]) -> dict[str, Any] | None:
    """The step's form plus, as required fields, what its documents need and the case lacks."""
    base = copy.deepcopy(schema) if schema else {"type": "object", "properties": {}}
    own = set(base.get("properties", {}))
    wanted: dict[str, list[str]] = {}
    for doc_type in _documents(task_properties):
        for _label, key in blank_fields(doc_type, data, case.id):
            if key not in own:
                wanted.setdefault(key, []).append(DOC_TYPES[doc_type].title if doc_type in DOC_TYPES else doc_type)
    if not wanted:
        return schema
    catalogs = _definitions(case)
    ui = base.setdefault("ui", {})
    added = False
    for key, titles in wanted.items():
        found = _property(catalogs, key)
        if found is None:
            continue  # not collected by any form (settings, directories): the refusal names it
        prop, form = found
        documents = "、".join(f"《{t}》" for t in dict.fromkeys(titles))
        prop[SUPPLEMENT_MARK] = documents
        prop["title"] = f"{prop.get('title', key)}（补充）"
        prop["title_en"] = f"{prop.get('title_en', prop.get('title', key))} (to complete)"
        ui.setdefault("help", {})[key] = f"本案件办理时的表单没有这一项，生成{documents}需要，请补充。"
        ui.setdefault("help_en", {})[key] = "The forms this case started on did not ask for this; a document needs it."
        base["properties"][key] = prop
        added = True
        base.setdefault("required", [])
        if key not in base["required"]:
            base["required"].append(key)
        if key in form.get("ui", {}).get("widgets", {}):
            ui.setdefault("widgets", {})[key] = form["ui"]["widgets"][key]
    return base if added else schema


def supplemented(schema: dict[str, Any]) -> list[str]:
    """Names of the fields `extend` added."""
    return [name for name, prop in schema.get("properties", {}).items() if prop.get(SUPPLEMENT_MARK)]
