"""The legal section's modeler page (bpmn-js with our side panel) and the script syntax check it calls."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from app.access import ROLE_LABELS, roles
from app.auth.roles import Role
from app.documents.services.numbers import DOC_TYPES
from app.errors import N_, NotFound
from app.modeler.services import trials
from app.modeler.services.engine_elements import KIND_LABELS, main_file
from app.workflow.services import definitions, lint
from app.workflow.services.sandbox import check_compiles

bp = Blueprint("editor", __name__, url_prefix="/modeler")

# Every word the panel shows; translated here so the panel follows the UI language.
PANEL_LABELS = {
    "element": N_("元素"),
    "select_hint": N_("在图上点选一个环节、连线或泳道，这里会列出可以修改的设置。"),
    "name": N_("名称"), "choose": N_("（请选择）"), "none": N_("（无）"),
    "lane_role": N_("泳道对应的角色"), "lane_role_help": N_("泳道里的用户任务由这个角色办理。"),
    "role": N_("办理角色"), "role_help": N_("由任务所在的泳道决定：把任务拖进相应的泳道即可更改。"),
    "no_lane": N_("不在任何泳道中——请把它拖进一条泳道"), "unknown_role": N_("不对应任何角色"),
    "lane_unnamed": N_("所在泳道还没有指定角色——请点选泳道，在右侧选择角色"),
    "form": N_("表单"), "form_help": N_("办理人填写的表单。新建的表单保存后，重新打开本页即可在这里选择。"),
    "new_form": N_("新建表单"),
    "assignees": N_("办理人"), "anyone_in_role": N_("该角色的任何人"), "team": N_("抽取确定的检查组成员"),
    "assignees_help": N_("选择“检查组成员”时，只有抽取确定的人员能办理。"),
    "documents": N_("办完后生成的文书"), "documents_help": N_("按办理人填写的内容生成，自动编文号。"),
    "due": N_("办理期限"), "due_none": N_("不设期限"), "due_working": N_("N 个工作日内"),
    "due_calendar": N_("N 日内（自然日）"), "due_custom": N_("自定义表达式"), "days": N_("天数"),
    "days_suffix": N_("天"), "due_help": N_("工作日按本局的节假日和调休计算。"),
    "starts_process": N_("办完后启动流程"), "starts_process_help": N_("例如移送立案：办完后开启一件新案件。"),
    "records_result": N_("把检查结果记入检查对象名录"), "instructions": N_("办理说明"),
    "script": N_("脚本"), "script_help": N_("自动计算的 Python 语句，在沙箱中运行。"),
    "check_syntax": N_("检查语法"), "default_flow": N_("默认连线（其他条件都不满足时走这条）"),
    "condition": N_("走这条连线的条件"), "condition_help": N_("例如：approved == True"),
    "gateway_help": N_("其余出口连线须各有条件。"), "called": N_("调用的流程"), "decision": N_("决策表"),
    "timer": N_("定时器"), "timer_date": N_("到某个时间"), "timer_duration": N_("等待一段时间"),
    "timer_cycle": N_("周期重复"), "timer_expression": N_("时间表达式"),
    "timer_working_days": N_("设为 N 个工作日后"), "timer_help": N_("可以用“设为 N 个工作日后”自动填写。"),
    "unsaved": N_("有未保存的修改。"), "saving": N_("正在保存…"), "saved": N_("已保存，校验通过。"),
    "save_failed": N_("保存失败。"), "reason_required": N_("请填写修改说明（记入审计日志）。"),
    "cannot_draw": N_("流程图无法显示："),
    "no_problems": N_("没有发现问题。"),
    "problems_heading": N_("共 %(count)s 个问题（图上红色标记，鼠标悬停可看说明）："),
}


def _url(endpoint: str, **values: Any) -> str | None:
    """The URL of an endpoint that another part of the app provides, or None when it is not there."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _lane_choices() -> list[list[str]]:
    """One Chinese lane name per role (what the diagram stores), shown with the role's label."""
    choices: dict[Role, str] = {}
    for name, role in lint.LANE_ROLES.items():
        if not name.isascii():
            choices.setdefault(role, name)
    return [[name, str(ROLE_LABELS[role])] for role, name in choices.items() if role in ROLE_LABELS]


def editor_config(definition: Any, problems: list[dict[str, str]] | None = None, lock: Any = None) -> dict[str, Any]:
    """Everything the modeler page needs, translated."""
    current = {d.process_id: d for d in definitions.list_definitions() if d.status == "published"}
    trees, _problems = lint.parse_files({k: v for k, v in definition.files.items() if k.endswith(".dmn")})
    file_name = main_file(definition)
    role_names = {name: str(ROLE_LABELS[role]) for name, role in lint.LANE_ROLES.items() if role in ROLE_LABELS}
    return {
        "draft": {"id": definition.id, "version": definition.version,
                  "lock": lock if lock is not None else getattr(definition, "revision", definition.content_hash)},
        "file": file_name, "xml": definition.files[file_name],
        "forms": [[key, str(schema.get("title") or key)] for key, schema in sorted(definition.forms.items())],
        "docTypes": [[code, _(t.title)] for code, t in DOC_TYPES.items()],
        "processes": [[pid, d.name] for pid, d in sorted(current.items())],
        "decisions": sorted(lint.decision_ids(trees)),
        "roles": _lane_choices(),
        "roleNames": role_names,
        "kinds": {kind: _(label) for kind, label in KIND_LABELS.items()},
        "labels": {key: _(text) for key, text in PANEL_LABELS.items()},
        "urls": {"save": _url("drafts.save", definition_id=definition.id),
                 "checkScript": url_for("editor.check_script"),
                 "formEditor": _url("form_editor.create", definition_id=definition.id)},
        "csrf": generate_csrf(), "locale": str(get_locale() or "zh_CN"), "problems": problems or [],
    }


@bp.route("/<int:definition_id>/edit")
@roles(Role.LEGAL)
def edit(definition_id: int) -> Any:
    """The modeler on a draft (a published version is never edited: make a draft from it first)."""
    try:
        definition = trials.get_definition(definition_id)
    except NotFound:
        abort(404)
    if definition.status != "draft":
        flash(_("已发布的版本不能修改：请先“从此版本新建草稿”。"), "warning")
        return redirect(url_for("processes.show", definition_id=definition.id))
    problems = [{"element_id": p.element_id, "element_name": p.element_name, "message": p.message_zh}
                for p in definitions.validate_bundle(definitions.Bundle(
                    definition.process_id, definition.name, definition.files, definition.forms))]
    return render_template("modeler/editor.html", definition=definition, config=editor_config(definition, problems))


@bp.route("/check-script", methods=["POST"])
@roles(Role.LEGAL)
def check_script() -> Any:
    """Whether a script (or, with expression=true, a condition or timer expression) compiles in the sandbox."""
    body = request.get_json(silent=True) or {}
    source = str(body.get("source") or "")
    if len(source) > 20000:
        return jsonify(ok=False, message=_("脚本最多 20000 个字符。")), 400
    if not source.strip():
        return jsonify(ok=False, message=_("内容为空。"))
    error = check_compiles(source, expression=bool(body.get("expression")))
    if error is None:
        return jsonify(ok=True, message=_("语法正确，可以在沙箱中运行。"))
    return jsonify(ok=False, message=_("语法错误：%(detail)s", detail=error))
