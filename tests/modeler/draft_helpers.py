"""Drafts for the modeler tests: a real new version made from a published one with textual edits."""

from __future__ import annotations

from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions


def draft_from(base: ProcessDefinition, edits: list[tuple[str, str]], actor=None, forms=None) -> ProcessDefinition:
    """A new draft version of `base` with each (old, new) replacement applied to its BPMN files."""
    files = dict(base.files)
    for old, new in edits:
        name = next(n for n, text in files.items() if old in text)
        files[name] = files[name].replace(old, new, 1)
    bundle = definitions.Bundle(base.process_id, base.name, files, {**base.forms, **(forms or {})})
    draft = definitions.add_version(actor, bundle, publish=False)
    assert draft is not None
    return draft
