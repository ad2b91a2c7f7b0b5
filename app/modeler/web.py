"""The process version page (diagram, lanes → roles, steps, forms, decision tables) and file downloads."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file
from flask_babel import get_locale

from app.access import ROLE_LABELS, roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.errors import N_
from app.extensions import db
from app.modeler.services import dmn, drafts, elements
from app.workflow.forms_web import render_fields
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions

bp = Blueprint("modeler", __name__, url_prefix="/processes")
VIEWERS = (Role.LEGAL, Role.ADMIN, Role.AUDITOR)
WIDGET_LABELS = {
    "text": N_("单行文字"), "textarea": N_("多行文字"), "number": N_("数字"), "date": N_("日期"),
    "select": N_("下拉选择"), "radio": N_("单选"), "checkbox": N_("勾选"), "checkboxes": N_("多选"),
    "rows": N_("表格（可添加多行）"), "file": N_("附件"), "files": N_("多个附件"),
}


def get_definition(definition_id: int) -> ProcessDefinition:
    """The version or 404."""
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None or not definitions.may_read(definition):
        abort(404)
    return definition


def _version_number(definition_id: int | None) -> int | None:
    other = db.session.get(ProcessDefinition, definition_id) if definition_id else None
    return other.version if other else None


def _process_names() -> dict[str, str]:
    return {d.process_id: d.name for d in definitions.list_definitions()}


def render_version_page(definition: ProcessDefinition, status: int = 200, **extra: Any) -> Any:
    """The version page: diagrams drawn, lanes and roles, every step explained, forms and decision tables."""
    locale = str(get_locale() or "zh_CN")
    views = elements.describe_files(definition.files, definition.process_id)
    forms = {key: {"title": schema.get("title_en") if locale == "en" and schema.get("title_en")
                   else schema.get("title", key),
                   "fields": render_fields(schema, {}, {}, locale)}
             for key, schema in definition.forms.items()}
    tables = [t for name, xml in sorted(definition.files.items()) if name.endswith(".dmn")
              for t in dmn.read_tables(name, xml)]
    context = {
        "definition": definition, "views": views, "forms": forms, "tables": tables, "form": ConfirmForm(),
        "role_labels": {role.value: label for role, label in ROLE_LABELS.items()},
        "widget_labels": WIDGET_LABELS, "process_names": _process_names(),
        "describe_entry": dmn.describe_entry,
        "based_on_version": _version_number(definition.based_on_id), "value_labels": dmn.value_labels(definition.forms),
    }
    if definition.status == "draft":
        context.update(_draft_checks(definition))
    context.update(extra)
    return render_template("modeler/version.html", **context), status


def _draft_checks(definition: ProcessDefinition) -> dict[str, Any]:
    """A draft's current problems and warnings, and per file the markers and badges that show them on the diagram."""
    english = str(get_locale() or "") == "en"
    problems, warnings = drafts.validate(definition.process_id, definition.files, definition.forms,
                                         int(current_app.config["DIAGRAM_MAX_KB"]) * 1024)
    markers: dict[str, dict[str, str]] = {}
    badges: dict[str, list[dict[str, str]]] = {}
    for problem in problems:
        if problem.element_id:
            message = problem.message_en if english else problem.message_zh
            markers.setdefault(problem.file, {})[problem.element_id] = "diagram-problem"
            badges.setdefault(problem.file, []).append({"element": problem.element_id, "text": "!",
                                                        "title": message, "class": "problem"})
    return {"draft_problems": problems, "draft_warnings": warnings, "problem_markers": markers,
            "problem_badges": badges, "english": english}


@bp.route("/<int:definition_id>/files/<path:file_name>")
@roles(*VIEWERS)
def download_file(definition_id: int, file_name: str) -> Any:
    """One BPMN/DMN file of a version, or one form (forms/<key>.json)."""
    definition = get_definition(definition_id)
    content = _bundle_files(definition).get(file_name)
    if content is None:
        abort(404)
    mimetype = "application/json" if file_name.endswith(".json") else "application/xml"
    as_attachment = file_name.endswith(".json") or bool(request.args.get("download"))
    return Response(content, mimetype=f"{mimetype}; charset=utf-8", headers={
        "Content-Disposition": f"{'attachment' if as_attachment else 'inline'}; filename*=UTF-8''"
                               f"{quote(file_name.rsplit('/', 1)[-1])}",
        # an uploaded diagram may carry foreign elements (extensionElements take any namespace): opened directly in a
        # browser it must never run as a page of ours
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-cache"})


@bp.route("/<int:definition_id>/bundle.zip")
@roles(*VIEWERS)
def download_zip(definition_id: int) -> Any:
    """Every file and form of a version in one zip (processes/…, forms/…)."""
    definition = get_definition(definition_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(_bundle_files(definition).items()):
            path = name if name.startswith("forms/") else f"processes/{name}"
            archive.writestr(path, content)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"{definition.process_id}-v{definition.version}.zip")


def _bundle_files(definition: ProcessDefinition) -> dict[str, str]:
    files = dict(definition.files)
    files.update({f"forms/{key}.json": json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
                  for key, schema in definition.forms.items()})
    return files
