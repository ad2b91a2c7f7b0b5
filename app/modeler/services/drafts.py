"""Draft versions of a process: copy a version, save changed diagrams, decision tables and forms into it.

Rules:
- a draft is a `ProcessDefinition` with status "draft"; published and retired versions are never changed;
- a save is all or nothing: any lint problem (unreadable XML, no executable process, a missing form, lane, role or
  document type, a script that does not compile in the sandbox, a file over the size limit…) refuses the save and
  returns every problem with its file, line, element id and Chinese message — nothing is written;
- optimistic concurrency: the caller sends the draft `revision` it edited; when someone saved in between, the save is
  refused naming who saved first and when (never a silent overwrite);
- every creation and save writes an audit event with who, why (the reason given) and the content hash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from app.audit.services import record_event
from app.auth.models import User
from app.clock import utcnow
from app.errors import N_, Conflict, DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.modeler.services import dmn_check, layout
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions, lint
from app.workflow.services.definitions import Bundle
from app.workflow.services.forms import FormError, check_form_schema

FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\.(bpmn|dmn)$")
FORM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
REASON_MAX = 500


class DraftRejected(DomainError):
    """The changes have problems; nothing was saved."""

    def __init__(self, problems: list[lint.Problem]) -> None:
        super().__init__(N_("未保存：流程图有 %(count)s 个问题，请按提示修改后再保存。"), count=len(problems))
        self.problems = problems


class DraftConflict(Conflict):
    """Someone saved the draft after the caller opened it."""

    def __init__(self, saved_by: str, saved_at: datetime | None, revision: int) -> None:
        super().__init__(N_("未保存：%(who)s 已于 %(when)s 保存了这份草稿（第 %(revision)s 次保存）。"
                            "请重新打开草稿，在最新内容上修改。"),
                         who=saved_by, when=saved_at.strftime("%Y-%m-%d %H:%M") if saved_at else "—",
                         revision=revision)
        self.saved_by, self.saved_at, self.revision = saved_by, saved_at, revision


class DraftExists(Conflict):
    """The process already has a draft: edit that one."""

    def __init__(self, draft: ProcessDefinition) -> None:
        super().__init__(N_("该流程已有草稿（第 %(version)s 版），请继续编辑该草稿。"), version=draft.version)
        self.draft = draft


@dataclass
class SaveResult:
    """What a save did."""

    definition: ProcessDefinition
    changed: bool
    warnings: list[lint.Problem] = field(default_factory=list)


def _actor_name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.full_name if user else "—"


def get_draft(definition_id: int) -> ProcessDefinition:
    """A draft version, or NotFound / Conflict when it is not one."""
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFound(N_("流程版本不存在。"))
    if definition.status != "draft":
        raise Conflict(N_("第 %(version)s 版已发布或已停用，不能修改；请从它新建草稿。"), version=definition.version)
    return definition


def open_draft(process_id: str) -> ProcessDefinition | None:
    """The process's draft, if it has one."""
    return db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id,
                                                             ProcessDefinition.status == "draft",
                                                             definitions.owned_here())
                             .order_by(ProcessDefinition.version.desc()).limit(1))


def _next_version(process_id: str) -> int:
    return (db.session.scalar(select(func.max(ProcessDefinition.version))  # numbered across all bureaus
                              .where(ProcessDefinition.process_id == process_id)
                              .execution_options(bureau_unscoped=True)) or 0) + 1


def new_draft(actor: User, source: ProcessDefinition, reason: str = "") -> ProcessDefinition:
    """Copy a version's files and forms into a new draft version (the source is untouched)."""
    existing = open_draft(source.process_id)
    if existing is not None:
        raise DraftExists(existing)
    now = utcnow()
    draft = ProcessDefinition(process_id=source.process_id, name=source.name, version=_next_version(source.process_id),
                              files=dict(source.files), forms=dict(source.forms), content_hash=source.content_hash,
                              status="draft", created_by_id=actor.id, based_on_id=source.id, revision=1,
                              bureau_id=definitions.owner_of_new_versions(),
                              updated_at=now, updated_by_id=actor.id)
    db.session.add(draft)
    db.session.flush()
    record_event("definition.draft_created", actor=actor, object_type="process_definition", object_id=draft.id,
                 details={"process_id": draft.process_id, "version": draft.version, "from_version": source.version,
                          "from_id": source.id, "hash": draft.content_hash, "reason": reason.strip()})
    return draft


def new_draft_from_files(actor: User, process_id: str, name: str, files: dict[str, str], forms: dict[str, Any],
                         reason: str) -> ProcessDefinition:
    """A new draft holding files the caller has already checked with `validate` (the importer does)."""
    existing = open_draft(process_id)
    if existing is not None:
        raise DraftExists(existing)
    bundle = Bundle(process_id, name, files, forms)
    now = utcnow()
    draft = ProcessDefinition(process_id=process_id, name=name, version=_next_version(process_id), files=files,
                              forms=forms, content_hash=bundle.content_hash, status="draft", created_by_id=actor.id,
                              bureau_id=definitions.owner_of_new_versions(),
                              revision=1, updated_at=now, updated_by_id=actor.id)
    db.session.add(draft)
    db.session.flush()
    record_event("definition.draft_created", actor=actor, object_type="process_definition", object_id=draft.id,
                 details={"process_id": process_id, "version": draft.version, "imported": sorted(files),
                          "hash": draft.content_hash, "reason": reason.strip()})
    return draft


def check_changes(files: dict[str, str], forms: dict[str, Any], max_bytes: int) -> list[lint.Problem]:
    """Names, sizes and form definitions of proposed changes (before the diagrams are linted)."""
    problems = []
    for name, text in files.items():
        if not FILE_NAME.match(name):
            problems.append(lint.Problem(name, None, "", "", "structure",
                                         {"detail": "file names end in .bpmn or .dmn and use letters, digits, _ . -"}))
        elif not isinstance(text, str):
            problems.append(lint.Problem(name, None, "", "", "xml", {"detail": "not text"}))
        elif len(text.encode("utf-8")) > max_bytes:
            problems.append(lint.Problem(name, None, "", "", "too_large", {"limit": max_bytes // 1024}))
    for key, schema in forms.items():
        where = f"forms/{key}.json"
        if not FORM_KEY.match(key):
            problems.append(lint.Problem(where, None, key, "", "structure",
                                         {"detail": "form keys use lower-case letters, digits and _"}))
            continue
        try:
            if not isinstance(schema, dict):
                raise FormError("a form is a JSON object")
            check_form_schema(schema)
        except FormError as exc:
            problems.append(lint.Problem(where, None, key, "", "structure", {"detail": str(exc)}))
    return problems


def validate(process_id: str, files: dict[str, str], forms: dict[str, Any], max_bytes: int
             ) -> tuple[list[lint.Problem], list[lint.Problem]]:
    """(problems that refuse a save, warnings) for a whole proposed bundle."""
    problems = check_changes(files, forms, max_bytes)
    if problems:
        return problems, []
    problems = lint.lint_bundle(files, set(forms), process_id)
    warnings = []
    for name, text in sorted(files.items()):
        if name.endswith(".dmn") and not problems:
            errors, more = dmn_check.file_problems(name, text)
            problems += errors
            warnings += more
    if not problems:
        for name, text in sorted(files.items()):
            if name.endswith(".bpmn") and (missing := layout.missing_layout(text)):
                warnings.append(lint.Problem(name, None, missing[0], "", "no_layout", {"count": len(missing)}))
    return problems, warnings


def save_draft(actor: User, draft: ProcessDefinition, *, revision: int, reason: str,
               files: dict[str, str] | None = None, forms: dict[str, Any] | None = None,
               removed_files: list[str] | None = None, removed_forms: list[str] | None = None,
               auto_layout: bool = False, max_bytes: int = 2 * 1024 * 1024) -> SaveResult:
    """Save changed files and forms into a draft: all checked first, then written at once, or nothing."""
    if draft.status != "draft":
        raise Conflict(N_("第 %(version)s 版已发布或已停用，不能修改；请从它新建草稿。"), version=draft.version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [N_("请填写修改原因（记入审计日志）。")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [N_("修改原因最多 500 字。")]})
    new_files = {k: v for k, v in draft.files.items() if k not in set(removed_files or [])}
    new_forms = {k: v for k, v in draft.forms.items() if k not in set(removed_forms or [])}
    changed_files = dict(files or {})
    if auto_layout:
        for name, text in changed_files.items():
            if name.endswith(".bpmn") and FILE_NAME.match(name):
                changed_files[name] = _laid_out_safely(text) or text
    new_files.update(changed_files)
    new_forms.update(forms or {})
    problems, warnings = validate(draft.process_id, new_files, new_forms, max_bytes)
    if problems:
        raise DraftRejected(problems)
    bundle = Bundle(draft.process_id, _process_name(new_files, draft), new_files, new_forms)
    if bundle.content_hash == draft.content_hash:
        _check_revision(draft, revision)
        return SaveResult(draft, changed=False, warnings=warnings)
    now = utcnow()
    done = db.session.execute(
        update(ProcessDefinition)
        .where(ProcessDefinition.id == draft.id, ProcessDefinition.revision == revision,
               ProcessDefinition.status == "draft")
        .values(files=new_files, forms=new_forms, content_hash=bundle.content_hash, name=bundle.name,
                revision=revision + 1, updated_at=now, updated_by_id=actor.id)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.refresh(draft)
        _check_revision(draft, revision)
        raise Conflict(N_("第 %(version)s 版已发布或已停用，不能修改；请从它新建草稿。"), version=draft.version)
    db.session.refresh(draft)
    record_event("definition.draft_saved", actor=actor, object_type="process_definition", object_id=draft.id,
                 details={"process_id": draft.process_id, "version": draft.version, "revision": draft.revision,
                          "hash": draft.content_hash, "reason": reason,
                          "files": sorted(changed_files), "forms": sorted(forms or {}),
                          "removed_files": sorted(removed_files or []), "removed_forms": sorted(removed_forms or [])})
    return SaveResult(draft, changed=True, warnings=warnings)


def discard_draft(actor: User, draft: ProcessDefinition, reason: str) -> None:
    """Give a draft up (it stays on record as "discarded", never runs, and a new draft may be made)."""
    if draft.status != "draft":
        raise Conflict(N_("第 %(version)s 版已发布或已停用，不能修改；请从它新建草稿。"), version=draft.version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [N_("请填写放弃草稿的原因（记入审计日志）。")]})
    draft.status = "discarded"
    draft.updated_at = utcnow()
    draft.updated_by_id = actor.id
    db.session.flush()
    record_event("definition.draft_discarded", actor=actor, object_type="process_definition", object_id=draft.id,
                 details={"process_id": draft.process_id, "version": draft.version, "hash": draft.content_hash,
                          "reason": reason[:REASON_MAX]})


def _check_revision(draft: ProcessDefinition, revision: int) -> None:
    if draft.revision != revision:
        raise DraftConflict(_actor_name(draft.updated_by_id), draft.updated_at, draft.revision)


def _laid_out_safely(text: str) -> str | None:
    try:
        return layout.apply_layout(text) if layout.missing_layout(text) else None
    except DomainError:
        return None


def _process_name(files: dict[str, str], draft: ProcessDefinition) -> str:
    trees, _problems = lint.parse_files({k: v for k, v in files.items() if k.endswith(".bpmn")})
    for tree in trees.values():
        process = tree.getroot().find(f"{{{lint.BPMN_NS}}}process[@id='{draft.process_id}']")
        if process is not None:
            return (process.get("name") or draft.name)[:200]
    return draft.name
