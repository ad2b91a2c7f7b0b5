"""The landing page, each role's home page, and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import ROLE_LABELS, public
from app.auth.roles import Role
from app.i18n import SUPPORTED_LOCALES
from app.statistics.services import board

bp = Blueprint("home", __name__)

# What each role does here (DOMAIN.md); shown on its home page.
ROLE_DUTIES = {
    Role.SUPERVISION: _l("维护检查对象名录库，制定年度抽查计划，会同纪检员开展“三随机”抽取，跟踪整改落实。"),
    Role.LEGAL: _l("维护执法检查人员库、专家库和各类清单，编辑执法流程图，办理立案，开展重大执法决定法制审核。"),
    Role.INSPECTOR: _l("持行政执法证开展现场检查，制作检查笔录、询问笔录等执法文书。"),
    Role.EXPERT: _l("作为专家参加执法检查组，对检查情况进行评议。"),
    Role.DISCIPLINE: _l("见证“三随机”抽取，输入见证随机数并签字确认。"),
    Role.LEADER: _l("审批立案和执法决定，主持集体讨论。"),
    Role.AUDITOR: _l("只读查阅任何案件及其全过程记录，核验审计日志。"),
    Role.ADMIN: _l("管理用户、角色、系统设置和节假日。"),
}


@bp.route("/")
@public
def index() -> Any:
    """Anonymous visitors see the public landing page; signed-in users their work page."""
    if not current_user.is_authenticated:
        return render_template("home/landing.html")
    my_roles = sorted(current_user.role_set)
    witness = board.waiting_for_witness() if Role.DISCIPLINE in current_user.role_set else []
    return render_template("home/dashboard.html", my_roles=my_roles, duties=ROLE_DUTIES, role_labels=ROLE_LABELS,
                           witness_draws=witness)


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str) -> Any:
    """Switch the UI language for this browser session."""
    if code not in SUPPORTED_LOCALES:
        abort(404)
    session["locale"] = code
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    return redirect(target)
