"""JSON endpoints for editing drafts (called by the modeler, the decision-table and the form editors).

All are for the legal section and CSRF-protected (send the token in the `X-CSRFToken` header).

POST /processes/<id>/draft                 new draft from version <id>
     body {reason?}                        → 201 {draft: {...}, url}; 409 {error, draft: {...}} when one exists
GET  /processes/<draft_id>/draft/state     → 200 {draft: {id, process_id, name, version, revision, status,
                                               updated_by, updated_at, content_hash, files: {name: xml},
                                               forms: {key: schema}}, problems: [...], warnings: [...],
                                               choices: {lanes: [{name, role, role_label}],
                                               document_types: [{code, title}], forms: [{key, title}],
                                               processes: [{id, name}], decisions: [{id, name}]}}
POST /processes/<draft_id>/draft/save      body {revision, reason, files?: {name: xml}, forms?: {key: schema},
                                                 removed_files?: [name], removed_forms?: [key], auto_layout?: bool}
                                           → 200 {draft: {...}, changed, warnings}
                                           → 422 {error, problems: [...]}  nothing saved (lint problems, bad input)
                                           → 409 {error, saved_by, saved_at, revision}  someone saved first
POST /processes/<draft_id>/draft/discard   body {reason} (or a form post) → 200 {draft} / redirect; the draft is
                                           kept on record as "discarded" and a new draft may be made
POST /processes/<draft_id>/draft/lint      body {files?, forms?} (merged over the draft) → 200 {problems, warnings}

A problem: {file, line, element_id, element_name, code, message} (message in the user's language).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

from app.access import ROLE_LABELS, roles
from app.auth.roles import Role
from app.documents.services.numbers import DOC_TYPES
from app.errors import N_, DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.modeler.services import drafts
from app.modeler.services.dmn import read_tables
from app.modeler.web import get_definition
from app.web_helpers import translate
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions, lint

bp = Blueprint("drafts", __name__, url_prefix="/processes")


def max_bytes() -> int:
    """The size limit of one file or form (DIAGRAM_MAX_KB)."""
    return int(current_app.config["DIAGRAM_MAX_KB"]) * 1024


def problem_json(problem: lint.Problem) -> dict[str, Any]:
    """One problem for the browser, its message in the user's language."""
    english = str(get_locale() or "") == "en"
    return {"file": problem.file, "line": problem.line, "element_id": problem.element_id,
            "element_name": problem.element_name, "code": problem.code,
            "message": problem.message_en if english else problem.message_zh}


def draft_json(draft: ProcessDefinition, with_content: bool = False) -> dict[str, Any]:
    """A draft's summary (and content)."""
    data: dict[str, Any] = {
        "id": draft.id, "process_id": draft.process_id, "name": draft.name, "version": draft.version,
        "status": draft.status, "revision": draft.revision, "content_hash": draft.content_hash,
        "based_on_id": draft.based_on_id,
        "updated_by": draft.updated_by.full_name if draft.updated_by else None,
        "updated_at": draft.updated_at.isoformat() + "Z" if draft.updated_at else None,
        "url": url_for("processes.show", definition_id=draft.id),
    }
    if with_content:
        data["files"] = dict(draft.files)
        data["forms"] = dict(draft.forms)
    return data


def _error(error: DomainError, status: int, **extra: Any) -> Any:
    db.session.rollback()
    body = {"error": translate(error), **extra}
    if isinstance(error, ValidationFailed):
        body["fields"] = {k: [gettext(m) for m in v] for k, v in error.errors.items()}
    return jsonify(body), status


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _mapping(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key) or {}
    if not isinstance(value, dict):
        raise ValidationFailed({key: [N_("格式错误：应为名称到内容的对照。")]})
    return value


@bp.route("/<int:definition_id>/draft", methods=["POST"])
@roles(Role.LEGAL)
def create(definition_id: int) -> Any:
    """New draft from this version (a plain form post is redirected to the draft's page)."""
    source = get_definition(definition_id)
    reason = str(_body().get("reason", "")) if request.is_json else request.form.get("reason", "")
    try:
        draft = drafts.new_draft(current_user, source, reason)
    except drafts.DraftExists as exc:
        if not request.is_json:
            db.session.rollback()
            flash(translate(exc), "warning")
            return redirect(url_for("processes.show", definition_id=exc.draft.id))
        return _error(exc, 409, draft=draft_json(exc.draft))
    db.session.commit()
    if not request.is_json:
        message = gettext("已从第 %(from)s 版新建草稿第 %(version)s 版。", version=draft.version,
                          **{"from": source.version})
        flash(message, "success")
        return redirect(url_for("processes.show", definition_id=draft.id))
    return jsonify({"draft": draft_json(draft), "url": url_for("processes.show", definition_id=draft.id)}), 201


@bp.route("/<int:definition_id>/draft/state")
@roles(Role.LEGAL)
def state(definition_id: int) -> Any:
    """The draft's content, revision and current problems."""
    try:
        draft = drafts.get_draft(definition_id)
    except NotFound as exc:
        return _error(exc, 404)
    except DomainError as exc:
        return _error(exc, 409)
    problems, warnings = drafts.validate(draft.process_id, draft.files, draft.forms, max_bytes())
    return jsonify({"draft": draft_json(draft, with_content=True), "problems": [problem_json(p) for p in problems],
                    "warnings": [problem_json(p) for p in warnings], "choices": choices(draft)})


def choices(draft: ProcessDefinition) -> dict[str, Any]:
    """What the modeler's side panel offers instead of typing: lanes (→ roles), document types, forms, processes."""
    labels = {role.value: str(label) for role, label in ROLE_LABELS.items()}
    lanes = [{"name": name, "role": role.value, "role_label": labels[role.value]}
             for name, role in lint.LANE_ROLES.items() if not name.isascii()]
    processes: dict[str, str] = {}
    for definition in definitions.list_definitions():
        processes.setdefault(definition.process_id, definition.name)
    decisions = [{"id": t.decision_id, "name": t.name} for name, xml in sorted(draft.files.items())
                 if name.endswith(".dmn") for t in read_tables(name, xml)]
    return {"lanes": lanes, "document_types": [{"code": t.code, "title": t.title} for t in DOC_TYPES.values()],
            "forms": [{"key": k, "title": v.get("title", k)} for k, v in sorted(draft.forms.items())],
            "processes": [{"id": k, "name": v} for k, v in sorted(processes.items())], "decisions": decisions}


@bp.route("/<int:definition_id>/draft/save", methods=["POST"])
@roles(Role.LEGAL)
def save(definition_id: int) -> Any:
    """Save changes into the draft (all checked first; nothing saved on any problem)."""
    body = _body()
    try:
        draft = drafts.get_draft(definition_id)
        revision = body.get("revision")
        if not isinstance(revision, int):
            raise ValidationFailed({"revision": [N_("缺少草稿的保存序号（revision）。")]})
        result = drafts.save_draft(
            current_user, draft, revision=revision, reason=str(body.get("reason", "")),
            files=_mapping(body, "files"), forms=_mapping(body, "forms"),
            removed_files=[str(x) for x in body.get("removed_files") or []],
            removed_forms=[str(x) for x in body.get("removed_forms") or []],
            auto_layout=bool(body.get("auto_layout")), max_bytes=max_bytes())
    except drafts.DraftRejected as exc:
        return _error(exc, 422, problems=[problem_json(p) for p in exc.problems])
    except drafts.DraftConflict as exc:
        return _error(exc, 409, saved_by=exc.saved_by, revision=exc.revision,
                      saved_at=exc.saved_at.isoformat() + "Z" if exc.saved_at else None)
    except NotFound as exc:
        return _error(exc, 404)
    except ValidationFailed as exc:
        return _error(exc, 422, problems=[])
    except DomainError as exc:
        return _error(exc, 409)
    db.session.commit()
    return jsonify({"draft": draft_json(result.definition), "changed": result.changed,
                    "warnings": [problem_json(p) for p in result.warnings]})


@bp.route("/<int:definition_id>/draft/lint", methods=["POST"])
@roles(Role.LEGAL)
def check(definition_id: int) -> Any:
    """Problems of the draft with these changes applied, without saving."""
    body = _body()
    try:
        draft = drafts.get_draft(definition_id)
        files = {**draft.files, **_mapping(body, "files")}
        forms = {**draft.forms, **_mapping(body, "forms")}
    except NotFound as exc:
        return _error(exc, 404)
    except DomainError as exc:
        return _error(exc, 409)
    problems, warnings = drafts.validate(draft.process_id, files, forms, max_bytes())
    return jsonify({"problems": [problem_json(p) for p in problems], "warnings": [problem_json(p) for p in warnings]})


@bp.route("/<int:definition_id>/draft/discard", methods=["POST"])
@roles(Role.LEGAL)
def discard(definition_id: int) -> Any:
    """Give the draft up (with a reason); a plain form post is redirected to the version list."""
    reason = str(_body().get("reason", "")) if request.is_json else request.form.get("reason", "")
    try:
        draft = drafts.get_draft(definition_id)
        drafts.discard_draft(current_user, draft, reason)
    except DomainError as exc:
        status = 404 if isinstance(exc, NotFound) else 422 if isinstance(exc, ValidationFailed) else 409
        if request.is_json:
            return _error(exc, status)
        db.session.rollback()
        if isinstance(exc, NotFound):  # none, or another bureau's
            abort(404)
        if isinstance(exc, ValidationFailed):
            for messages in exc.errors.values():
                for message in messages:
                    flash(gettext(message), "danger")
        else:
            flash(translate(exc), "danger")
        return redirect(url_for("processes.show", definition_id=definition_id))
    db.session.commit()
    if request.is_json:
        return jsonify({"draft": draft_json(draft)})
    flash(gettext("已放弃草稿第 %(version)s 版。", version=draft.version), "success")
    return redirect(url_for("processes.index"))
