"""The form editor (server-rendered; live preview by the task page's own renderer) saving forms into a draft."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.roles import Role
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.modeler.drafts_web import problem_json
from app.modeler.services import drafts, form_editor
from app.modeler.services.form_editor import FieldSpec, FormInvalid
from app.modeler.web import get_definition
from app.web_helpers import translate
from app.workflow.forms_web import render_fields

bp = Blueprint("form_editor", __name__, url_prefix="/processes")
MAX_FIELDS = 100


def _draft_or_redirect(definition_id: int) -> Any:
    definition = get_definition(definition_id)
    if definition.status != "draft":
        flash(_("已发布的版本不能修改：请先从它新建草稿，再编辑草稿中的表单。"), "warning")
        return definition, redirect(url_for("processes.show", definition_id=definition.id))
    return definition, None


def _columns_from_form(form: Any, prefix: str) -> list[FieldSpec]:
    """A table field's columns as edited column by column (deleted ones left out)."""
    columns = []
    for j in range(min(int(form.get(f"{prefix}.ncols", "0") or 0), MAX_FIELDS)):
        c = f"{prefix}.c{j}"
        if form.get(f"{c}.delete"):
            continue
        kind = form.get(f"{c}.kind", "text")
        columns.append(FieldSpec(form.get(f"{c}.name", "").strip(), form.get(f"{c}.label", "").strip()[:200],
                                 kind if kind in form_editor.COLUMN_KINDS else "text", bool(form.get(f"{c}.required")),
                                 form.get(f"{c}.options", "")[:5000], original=form.get(f"{c}.orig", "")))
    return columns


def _specs_from_form(form: Any) -> tuple[list[FieldSpec], dict[str, list[tuple[str, dict[str, Any]]]]]:
    """The edited field list in its new order (deleted fields left out), with column-format errors.

    A table's columns come either column by column (`f<i>.c<j>.*`, the editor page) or as lines in `f<i>.columns`.
    The action "addcol:<i>" adds an empty column to the i-th field as submitted.
    """
    specs, errors = [], {}
    count = min(int(form.get("fields", "0") or 0), MAX_FIELDS)
    add_column_to = form.get("action", "").partition("addcol:")[2]
    for i in range(count):
        if form.get(f"f{i}.delete"):
            continue
        spec = FieldSpec(form.get(f"f{i}.name", "").strip(), form.get(f"f{i}.label", "").strip()[:200],
                         form.get(f"f{i}.kind", "text"), bool(form.get(f"f{i}.required")),
                         form.get(f"f{i}.options", "")[:5000], form.get(f"f{i}.help", "").strip()[:500],
                         form.get(f"f{i}.max_length", "").strip(), form.get(f"f{i}.orig", ""))
        if f"f{i}.ncols" in form:
            spec.columns = _columns_from_form(form, f"f{i}")
        elif spec.kind == "rows":
            spec.columns, column_errors = form_editor.parse_columns(form.get(f"f{i}.columns", ""))
            if column_errors:
                errors[f"f{len(specs)}.columns"] = column_errors
        if add_column_to == str(i):
            spec.columns.append(FieldSpec("", "", "text"))
        specs.append(spec)
    return specs, errors


def _move(specs: list[FieldSpec], action: str) -> None:
    kind, _sep, index = action.partition(":")
    if index.isdigit():
        i = int(index)
        j = i - 1 if kind == "up" else i + 1
        if 0 <= i < len(specs) and 0 <= j < len(specs):
            specs[i], specs[j] = specs[j], specs[i]


def _preview(schema: dict[str, Any] | None) -> dict[str, Any]:
    """What modeler/_form_preview.html needs: the fields as the task page's renderer sees them (None: no preview)."""
    fields = None if schema is None else render_fields(schema, {}, {}, str(get_locale() or "zh_CN"))
    return {"fields": fields, "schema": schema, "none_attachment": lambda _attachment_id: None}


def _translated(errors: dict[str, list[tuple[str, dict[str, Any]]]]) -> dict[str, list[str]]:
    return {k: [_(msgid, **params) for msgid, params in v] for k, v in errors.items()}


def _render(definition: Any, key: str, title: str, instructions: str, specs: list[FieldSpec],
            schema: dict[str, Any] | None, status: int = 200, **extra: Any) -> Any:
    context = {"definition": definition, "key": key, "title": title, "instructions": instructions, "specs": specs,
               "kinds": form_editor.KINDS, "with_options": form_editor.WITH_OPTIONS,
               "column_kinds": form_editor.COLUMN_KINDS, **_preview(schema),
               "revision": request.form.get("revision", definition.revision), "reason": request.form.get("reason", ""),
               "errors": {}}
    context.update(extra)
    return render_template("modeler/form_edit.html", **context), status


@bp.route("/<int:definition_id>/forms/<key>/edit", methods=["GET", "POST"])
@roles(Role.LEGAL)
def edit(definition_id: int, key: str) -> Any:
    """Edit one form of a draft: fields, order, options, rows; preview; save with a reason."""
    definition, refused = _draft_or_redirect(definition_id)
    if refused is not None:
        return refused
    old = definition.forms.get(key)
    if old is None:
        abort(404)
    if request.method == "GET":
        return _render(definition, key, old.get("title", ""), old.get("instructions", ""),
                       form_editor.fields_from_schema(old), old)
    title, instructions = request.form.get("title", "")[:200], request.form.get("instructions", "")[:2000]
    specs, column_errors = _specs_from_form(request.form)
    action = request.form.get("action", "preview")
    if action == "add":
        specs.append(FieldSpec(f"field_{len(specs) + 1}", "", "text"))
    elif action.startswith("addcol:"):
        action = "add"  # a new, empty column is not an error yet
    elif action.startswith(("up:", "down:")):
        _move(specs, action)
    try:
        if column_errors:
            raise FormInvalid(column_errors)
        schema = form_editor.schema_from_fields(old, title, instructions, specs)
    except FormInvalid as exc:
        if action == "add":  # a new, still empty field or column is not an error yet: preview the rest
            try:
                shown = form_editor.schema_from_fields(old, title, instructions, specs[:-1])
            except FormInvalid:
                shown = None
            return _render(definition, key, title, instructions, specs, shown)
        status = 422 if action == "save" else 200
        return _render(definition, key, title, instructions, specs, None, status, errors=_translated(exc.errors))
    if action != "save":
        return _render(definition, key, title, instructions, specs, schema)
    try:
        drafts.save_draft(current_user, definition, revision=int(request.form.get("revision", "0") or 0),
                          reason=request.form.get("reason", ""), forms={key: schema},
                          max_bytes=current_app.config["DIAGRAM_MAX_KB"] * 1024)
    except drafts.DraftRejected as exc:
        db.session.rollback()
        return _render(definition, key, title, instructions, specs, schema, 422,
                       problems=[problem_json(p) for p in exc.problems])
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(definition, key, title, instructions, specs, schema, 422,
                       errors={k: [_(m) for m in v] for k, v in exc.errors.items()})
    except DomainError as exc:
        db.session.rollback()
        flash(translate(exc), "danger")
        return _render(definition, key, title, instructions, specs, schema, 409)
    db.session.commit()
    flash(_("表单“%(title)s”已保存到草稿（第 %(version)s 版）。", title=schema["title"], version=definition.version),
          "success")
    return redirect(url_for("processes.show", definition_id=definition.id) + "#forms")


@bp.route("/<int:definition_id>/forms/preview", methods=["POST"])
@roles(Role.LEGAL)
def preview(definition_id: int) -> Any:
    """The edited form rendered as the task page would render it (an HTML fragment for the live preview)."""
    definition = get_definition(definition_id)
    key = request.form.get("key", "")
    specs, column_errors = _specs_from_form(request.form)
    try:
        if column_errors:
            raise FormInvalid(column_errors)
        schema = form_editor.schema_from_fields(definition.forms.get(key, {}), request.form.get("title", "")[:200],
                                                request.form.get("instructions", "")[:2000], specs)
    except FormInvalid:
        schema = None
    return render_template("modeler/_form_preview.html", **_preview(schema))


@bp.route("/<int:definition_id>/forms/new", methods=["GET", "POST"])
@roles(Role.LEGAL)
def create(definition_id: int) -> Any:
    """A new form in the draft (a name for the diagram to refer to, a title); then its editor."""
    definition, refused = _draft_or_redirect(definition_id)
    if refused is not None:
        return refused
    errors: dict[str, list[str]] = {}
    key, title = request.form.get("key", "").strip(), request.form.get("title", "").strip()[:200]
    if request.method == "POST":
        if not form_editor.FORM_KEY.match(key):
            errors["key"] = [_("表单编号只能用小写英文字母、数字和下划线，并以字母开头。")]
        elif key in definition.forms:
            errors["key"] = [_("表单编号“%(key)s”已存在。", key=key)]
        if not title:
            errors["title"] = [_("请填写表单名称。")]
        if not errors:
            try:
                drafts.save_draft(current_user, definition, revision=int(request.form.get("revision", "0") or 0),
                                  reason=_("新建表单“%(title)s”", title=title),
                                  forms={key: form_editor.new_form(title)},
                                  max_bytes=current_app.config["DIAGRAM_MAX_KB"] * 1024)
            except DomainError as exc:
                db.session.rollback()
                flash(translate(exc), "danger")
            else:
                db.session.commit()
                return redirect(url_for("form_editor.edit", definition_id=definition.id, key=key))
    return render_template("modeler/form_new.html", definition=definition, key=key, title=title, errors=errors,
                           revision=request.form.get("revision", definition.revision)), 422 if errors else 200
