"""The decision-table editor (server-rendered, works without JavaScript): edit a draft's DMN table and save it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.auth.roles import Role
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.modeler.drafts_web import problem_json
from app.modeler.services import dmn, dmn_check, drafts
from app.modeler.web import get_definition
from app.web_helpers import translate

bp = Blueprint("decisions", __name__, url_prefix="/processes")
MAX_ROWS = 200


def _table(definition: Any, file_name: str, decision_id: str) -> dmn.DecisionTable:
    xml = definition.files.get(file_name)
    table = next((t for t in dmn.read_tables(file_name, xml) if t.decision_id == decision_id), None) if xml else None
    if table is None:
        abort(404)
    return table


def _from_form(table: dmn.DecisionTable, form: Any) -> dmn.DecisionTable:
    """The table as submitted (labels, types, hit policy, rules in order; deleted rows left out)."""
    policy = form.get("hit_policy", table.hit_policy)
    inputs = [dmn.Column(c.id, form.get(f"in{j}.label", c.label).strip()[:200], c.expression,
                         form.get(f"in{j}.type", c.type_ref) if form.get(f"in{j}.type") in dmn.EDITABLE_TYPES
                         else c.type_ref) for j, c in enumerate(table.inputs)]
    outputs = [dmn.Column(c.id, form.get(f"out{k}.label", c.label).strip()[:200], c.expression,
                          form.get(f"out{k}.type", c.type_ref) if form.get(f"out{k}.type") in dmn.EDITABLE_TYPES
                          else c.type_ref) for k, c in enumerate(table.outputs)]
    rows = min(int(form.get("rows", "0") or 0), MAX_ROWS)
    rules = []
    for i in range(rows):
        if form.get(f"r{i}.delete"):
            continue
        rules.append(dmn.Rule(form.get(f"r{i}.id", ""), form.get(f"r{i}.desc", "").strip()[:500],
                              [form.get(f"r{i}.in{j}", "").strip()[:500] for j in range(len(inputs))],
                              [form.get(f"r{i}.out{k}", "").strip()[:500] for k in range(len(outputs))]))
    if policy not in dmn.EDITABLE_HIT_POLICIES:
        policy = table.hit_policy
    return dmn.DecisionTable(table.file, table.decision_id, table.name, policy, inputs, outputs, rules)


def _move(rules: list[dmn.Rule], action: str) -> None:
    kind, _sep, index = action.partition(":")
    if not index.isdigit():
        return
    i = int(index)
    j = i - 1 if kind == "up" else i + 1
    if 0 <= i < len(rules) and 0 <= j < len(rules):
        rules[i], rules[j] = rules[j], rules[i]


def _render(definition: Any, table: dmn.DecisionTable, status: int = 200, **extra: Any) -> Any:
    context = {"definition": definition, "table": table, "policies": dmn.EDITABLE_HIT_POLICIES,
               "hit_labels": dmn.HIT_POLICIES, "types": dmn.EDITABLE_TYPES, "type_labels": dmn.TYPE_LABELS,
               "value_labels": dmn.value_labels(definition.forms), "describe_entry": dmn.describe_entry,
               "revision": request.form.get("revision", definition.revision),
               "reason": request.form.get("reason", "")}
    context.update(extra)
    return render_template("modeler/decision_edit.html", **context), status


@bp.route("/<int:definition_id>/decisions/<file_name>/<decision_id>", methods=["GET", "POST"])
@roles(Role.LEGAL)
def edit(definition_id: int, file_name: str, decision_id: str) -> Any:
    """Edit one decision table of a draft; check it; save it into the draft (with a reason)."""
    definition = get_definition(definition_id)
    if definition.status != "draft":
        flash(_("已发布的版本不能修改：请先从它新建草稿，再编辑草稿中的决策表。"), "warning")
        return redirect(url_for("processes.show", definition_id=definition.id))
    table = _table(definition, file_name, decision_id)
    if request.method == "GET":
        return _render(definition, table)
    edited = _from_form(table, request.form)
    action = request.form.get("action", "check")
    if action == "add":
        edited.rules.append(dmn.Rule("", "", [""] * len(edited.inputs), [""] * len(edited.outputs)))
        return _render(definition, edited)
    if action.startswith(("up:", "down:")):
        _move(edited.rules, action)
        return _render(definition, edited)
    errors, warnings = dmn_check.table_problems(file_name, edited)
    if action != "save" or errors:
        return _render(definition, edited, 422 if errors else 200, errors=[problem_json(p) for p in errors],
                       warnings=[problem_json(p) for p in warnings], checked=True)
    try:
        xml = dmn.write_table(definition.files[file_name], edited)
        revision = int(request.form.get("revision", "0") or 0)
        result = drafts.save_draft(current_user, definition, revision=revision, reason=request.form.get("reason", ""),
                                   files={file_name: xml}, max_bytes=current_app.config["DIAGRAM_MAX_KB"] * 1024)
    except drafts.DraftRejected as exc:
        db.session.rollback()
        return _render(definition, edited, 422, errors=[problem_json(p) for p in exc.problems])
    except ValidationFailed as exc:
        db.session.rollback()
        return _render(definition, edited, 422, field_errors={k: [_(m) for m in v] for k, v in exc.errors.items()})
    except DomainError as exc:
        db.session.rollback()
        flash(translate(exc), "danger")
        return _render(definition, edited, 409)
    db.session.commit()
    flash(_("决策表已保存到草稿（第 %(version)s 版）。", version=definition.version), "success")
    for warning in result.warnings:
        flash(problem_json(warning)["message"], "warning")
    return redirect(url_for("processes.show", definition_id=definition.id) + "#decision-" + decision_id)
