"""Publishing a draft: what changed against the published version, then publish with a reason (audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth.models import User
from app.errors import N_, Conflict, NotFound, PermissionDenied, ValidationFailed
from app.modeler.services.engine_elements import Element, elements_of
from app.modeler.services.trials import get_definition
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions
from app.workflow.services.definitions import Bundle, DefinitionInvalid


@dataclass
class ElementChange:
    """One element added, removed or changed; for a change, (field, before, after) per field."""

    element: Element
    change: str  # added | removed | changed
    fields: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class FormChange:
    """One form added, removed or changed; for a change, the fields added, removed and changed (by title)."""

    key: str
    title: str
    change: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


@dataclass
class VersionDiff:
    """The draft against the base (the published version, or the version the draft came from)."""

    base: ProcessDefinition | None
    draft: ProcessDefinition
    elements: list[ElementChange] = field(default_factory=list)
    forms: list[FormChange] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)  # e.g. a changed DMN catalog
    labels: dict[str, str] = field(default_factory=dict)  # element id → what a person calls it (flows: A → B)

    def markers(self) -> dict[str, list[str]]:
        """Element ids per change, for colouring the diagram."""
        result: dict[str, list[str]] = {"added": [], "removed": [], "changed": []}
        for item in self.elements:
            result[item.change].append(item.element.element_id)
        return result

    @property
    def empty(self) -> bool:
        """Nothing differs."""
        return not (self.elements or self.forms or self.other_files)


def _field_title(schema: dict[str, Any], name: str) -> str:
    return str(schema.get("properties", {}).get(name, {}).get("title") or name)


def _form_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FormChange]:
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        title = str((after or before or {}).get("title") or key)
        if before is None or after is None:
            changes.append(FormChange(key, title, "added" if before is None else "removed"))
            continue
        old_props, new_props = before.get("properties", {}), after.get("properties", {})
        change = FormChange(key, title, "changed")
        change.added = [_field_title(after, n) for n in new_props if n not in old_props]
        change.removed = [_field_title(before, n) for n in old_props if n not in new_props]
        change.changed = [_field_title(after, n) for n in new_props if n in old_props and new_props[n] != old_props[n]]
        changes.append(change)
    return changes


def _labels(elements: dict[str, Element]) -> dict[str, str]:
    labels = {key: el.values.get("name", "") for key, el in elements.items()}
    for key, el in elements.items():
        if el.kind == "sequenceFlow" and not labels[key]:
            source, target = el.values.get("source", ""), el.values.get("target", "")
            labels[key] = f"{labels.get(source) or source} → {labels.get(target) or target}"
    return {key: label or key for key, label in labels.items()}


def diff(draft: ProcessDefinition, base: ProcessDefinition | None) -> VersionDiff:
    """Elements, forms and other files that differ between base and draft."""
    result = VersionDiff(base, draft)
    old = elements_of(base.files) if base is not None else {}
    new = elements_of(draft.files)
    result.labels = _labels({**old, **new})
    for element_id in sorted(set(old) | set(new)):
        before, after = old.get(element_id), new.get(element_id)
        if before is None:
            result.elements.append(ElementChange(after, "added"))
        elif after is None:
            result.elements.append(ElementChange(before, "removed"))
        else:
            fields = [(name, before.values.get(name, ""), after.values.get(name, ""))
                      for name in sorted(set(before.values) | set(after.values))
                      if before.values.get(name, "") != after.values.get(name, "")]
            if before.kind != after.kind:
                fields.insert(0, ("kind", before.kind, after.kind))
            if fields:
                result.elements.append(ElementChange(after, "changed", fields))
    result.forms = _form_changes(base.forms if base else {}, draft.forms)
    base_files = base.files if base else {}
    result.other_files = sorted(n for n in set(base_files) | set(draft.files)
                                if not n.endswith(".bpmn") and base_files.get(n) != draft.files.get(n))
    return result


def current_published(process_id: str) -> ProcessDefinition | None:
    """The published version of a process, if any."""
    try:
        return definitions.published(process_id)
    except NotFound:
        return None


def publish(actor: User, definition_id: int, reason: str) -> ProcessDefinition:
    """Publish a draft after validation, with the reason; running cases stay on their versions."""
    definition = get_definition(definition_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [N_("请填写发布原因。")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [N_("发布原因最多 500 字。")]})
    if definition.status != "draft":
        raise Conflict(N_("只能发布草稿。"))
    if actor.bureau_id is not None and not definitions.may_publish(actor.bureau_id, definition):
        raise PermissionDenied(
            N_("只能发布本局的版本；上级局的标准流程由上级局发布，本局可“采用为本局版本”后修改发布。"))
    problems = definitions.validate_bundle(Bundle(definition.process_id, definition.name, definition.files,
                                                  definition.forms))
    if problems:
        raise DefinitionInvalid(problems)
    definitions.publish_version(actor, definition, reason)  # audited: who, why, old and new hash
    return definition
