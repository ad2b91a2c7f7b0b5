"""Trial cases: walk a draft before publishing it, without touching real work.

A trial case is marked (`Case.trial`), shows only in its starter's inbox, is left out of statistics, and
numbers its documents on separate counters with a visible "（试用）" mark. Its starter may act on every task.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.errors import N_, Conflict, NotFound
from app.extensions import db
from app.workflow.models import Case, ProcessDefinition
from app.workflow.services import cases, definitions


def get_definition(definition_id: int) -> ProcessDefinition:
    """The version or NotFound."""
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFound(N_("流程版本不存在。"))
    return definition


def start_trial(actor: User, definition_id: int, subject: str = "", data: dict[str, Any] | None = None) -> Case:
    """Start a trial case on a draft that passes validation; audited like any case start (marked trial)."""
    definition = get_definition(definition_id)
    if definition.status != "draft":
        raise Conflict(N_("只能试用草稿；已发布或已停用的版本请直接新建案件。"))
    problems = definitions.validate_bundle(definitions.Bundle(definition.process_id, definition.name,
                                                              definition.files, definition.forms))
    if problems:
        raise definitions.DefinitionInvalid(problems)
    subject = subject.strip() or f"试用：{definition.name} 第{definition.version}版"
    return cases.start_case(actor, definition.process_id, subject, data, definition=definition, trial=True)


def trials_of(definition_id: int) -> list[Case]:
    """The trial cases of one version, newest first."""
    return list(db.session.scalars(select(Case).where(Case.definition_id == definition_id, Case.trial.is_(True))
                                   .order_by(Case.id.desc())))
