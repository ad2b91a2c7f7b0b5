"""Every `context` a form declares names fields some form collects (or a labelled variable) and real tasks."""

import json
import re
from pathlib import Path

from app.workflow.services.presenter import VARIABLE_LABELS

ROOT = Path(__file__).resolve().parents[2]


def test_declared_context_names_known_fields_and_tasks():
    forms = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "forms").glob("*.json")}
    fields = {name for schema in forms.values() for name in schema["properties"]} | set(VARIABLE_LABELS)
    tasks = {m for p in (ROOT / "processes").glob("*.bpmn")
             for m in re.findall(r'<bpmn:userTask id="([^"]+)"', p.read_text(encoding="utf-8"))}
    declared = 0
    for key, schema in forms.items():
        for section in schema.get("context", []):
            assert section.get("title") and section.get("title_en"), key
            assert set(section.get("fields", [])) <= fields, (key, set(section.get("fields", [])) - fields)
            assert set(section.get("tasks", [])) <= tasks, (key, set(section.get("tasks", [])) - tasks)
            declared += 1
    assert declared >= 20
