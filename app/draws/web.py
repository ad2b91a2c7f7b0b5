"""Draw pages: prepare (supervision), witness and perform (discipline), confirm, redraw (leader approves),
verify, and the outputs."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import public, roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.services.tree import get_bureau, subordinate_bureaus
from app.bureaus.web import reaches_down
from app.directories.models import InspectionItem, Tier
from app.documents.services.documents import draw_documents
from app.draws.models import Draw
from app.draws.services import draws, lifecycle, outputs, package
from app.draws.services.params import SCOPES
from app.draws.services.verify import verify
from app.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.web_helpers import translate

bp = Blueprint("draws", __name__, url_prefix="/draws")
public_bp = Blueprint("public_draws", __name__, url_prefix="/public/draws")
VIEWERS = (Role.SUPERVISION, Role.DISCIPLINE, Role.LEADER, Role.LEGAL, Role.AUDITOR, Role.ADMIN)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _translated(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Field errors in the reader's language (messages with parameters carry their msgid)."""
    return {field: [_(m.msgid, **m.params) if hasattr(m, "msgid") else _(m) for m in messages]
            for field, messages in errors.items()}


def _draw(draw_id: int) -> Any:
    try:
        return draws.get_draw(draw_id)
    except NotFound:
        abort(404)


@bp.route("/")
@roles(*VIEWERS)
@reaches_down()
def index() -> Any:
    """All draws, newest first."""
    return render_template("draws/index.html", draws=draws.list_draws(), scopes=SCOPES)


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.SUPERVISION)
def prepare() -> Any:
    """Parameters → frozen pools, exclusions and the nonce commitment."""
    tiers = list(db.session.scalars(select(Tier).where(Tier.active.is_(True)).order_by(Tier.position)))
    items = list(db.session.scalars(select(InspectionItem).where(InspectionItem.active.is_(True))
                                    .order_by(InspectionItem.code)))
    year = draws.next_draw_year()
    values: dict[str, Any] = {"year": year, "scope": "annual", "ratio": "0.2", "rest_years": 1, "experts_per_team": 1,
                              "experts_to_draw": "", "tier_ids": [t.id for t in tiers],
                              "item_codes": [i.code for i in items], "period_start": f"{year}-03-01",
                              "period_end": f"{year}-10-31", "joint_officer_bureaus": [], "joint_expert_bureaus": []}
    subordinates = subordinate_bureaus(current_user.bureau_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("year", "scope", "ratio", "rest_years", "experts_per_team",
                                                        "experts_to_draw", "period_start", "period_end")}
        values["tier_ids"] = [int(t) for t in request.form.getlist("tier_ids") if t.isdigit()]
        values["item_codes"] = request.form.getlist("item_codes")
        for key in ("joint_officer_bureaus", "joint_expert_bureaus"):
            values[key] = [int(b) for b in request.form.getlist(key) if b.isdigit()]
        try:
            draw = draws.prepare(current_user, values)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = _translated(exc.errors)
        else:
            db.session.commit()
            flash(_("抽取池已冻结。请纪检员登录后在本页输入见证随机数进行抽取。"), "success")
            return redirect(url_for("draws.show", draw_id=draw.id))
    return render_template("draws/prepare.html", tiers=tiers, items=items, values=values, errors=errors,
                           scopes=SCOPES, form=ConfirmForm(), subordinates=subordinates), 400 if errors else 200


@bp.route("/<int:draw_id>")
@roles(*VIEWERS)
@reaches_down()
def show(draw_id: int) -> Any:
    """The draw record: before the draw its pools and commitment; afterwards every stage and the schedule."""
    return _record_page(_draw(draw_id), report=None)


def _record_page(draw: Draw, report: Any) -> str:
    names = {o["code"]: o["name"] for o in draw.pools["objects"]}
    people = draws.people_names(draw.pools)
    redraws = [d for d in draws.list_draws() if d.redraw_of_id == draw.id]
    return render_template("draws/show.html", draw=draw, names=names, people=people, form=ConfirmForm(),
                           reasons=outputs.REASONS, redraws=redraws, report=report, scopes=SCOPES,
                           documents=draw_documents(draw.id), has_package=package.has_package(draw),
                           is_public=package.is_public(draw), pool_rows=outputs.pool_rows(draw))


def _act(draw_id: int, action: Any, success: str) -> Any:
    draw = _draw(draw_id)
    try:
        outcome = action(draw)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        flash(translate(exc), "danger")
        if isinstance(exc, ValidationFailed):
            for messages in _translated(exc.errors).values():
                for message in messages:
                    flash(message, "danger")
        return redirect(url_for("draws.show", draw_id=draw_id), code=303)
    db.session.commit()
    flash(success if not callable(success) else success(outcome), "success")
    target = outcome.id if isinstance(outcome, Draw) and outcome is not draw else draw_id
    return redirect(url_for("draws.show", draw_id=target))


@bp.route("/<int:draw_id>/perform", methods=["POST"])
@roles(Role.DISCIPLINE)
def perform(draw_id: int) -> Any:
    """The discipline inspector's entropy; the draw runs at once."""
    return _act(draw_id, lambda d: draws.perform(current_user, d, request.form.get("entropy", "")),
                lambda d: _("抽取完成。") if d.status == "drawn" else
                _("抽取未能完成：%(reason)s 本次尝试（随机数、种子和原因）已记入抽取记录和审计日志，"
                  "须由局领导决定取消或重新抽取。", reason=d.attempts[-1]["failure"]))


def _process_id() -> str:
    return str(current_app.config.get("DRAW_PROCESS_ID", "random_inspection"))


@bp.route("/<int:draw_id>/confirm", methods=["POST"])
@roles(Role.SUPERVISION)
def confirm(draw_id: int) -> Any:
    """Confirm the result; start the inspection cases when the process is published."""
    return _act(draw_id, lambda d: draws.confirm(current_user, d, _process_id()),
                lambda n: _("已确认，并启动 %(n)s 件检查案件。", n=n) if n else
                _("已确认。检查流程尚未发布，发布后可在本页启动检查案件。"))


@bp.route("/<int:draw_id>/start-cases", methods=["POST"])
@roles(Role.SUPERVISION)
def start_cases(draw_id: int) -> Any:
    """Start the cases of a confirmed draw once the inspection process is published."""
    return _act(draw_id, lambda d: draws.start_cases(current_user, d, _process_id()),
                lambda n: _("已启动 %(n)s 件检查案件。", n=n))


@bp.route("/<int:draw_id>/results-report", methods=["POST"])
@roles(Role.SUPERVISION)
def results_report(draw_id: int) -> Any:
    """Issue the year's 抽查结果通报 and mark its rows for publication."""
    return _act(draw_id, lambda d: draws.results_report(current_user, d),
                lambda doc: _("已生成抽查结果通报 %(number)s。", number=doc.number))


@bp.route("/<int:draw_id>/redraw", methods=["POST"])
@roles(Role.SUPERVISION)
def request_redraw(draw_id: int) -> Any:
    """Ask for a redraw, with a reason."""
    return _act(draw_id, lambda d: lifecycle.request_redraw(current_user, d, request.form.get("reason", "")),
                _("已提交重新抽取申请，待局领导批准。"))


@bp.route("/<int:draw_id>/approve-redraw", methods=["POST"])
@roles(Role.LEADER)
def approve_redraw(draw_id: int) -> Any:
    """A leader approves: the original stays visible; a new draw is prepared."""
    return _act(draw_id, lambda d: lifecycle.approve_redraw(current_user, d), _("已批准重新抽取，原记录保留。"))


@bp.route("/<int:draw_id>/cancel", methods=["POST"])
@roles(Role.SUPERVISION, Role.LEADER)
def cancel(draw_id: int) -> Any:
    """Cancel a prepared draw (supervision or leader) or a failed one (leader), with a reason."""
    return _act(draw_id, lambda d: lifecycle.cancel(current_user, d, request.form.get("reason", "")),
                _("已取消，记录保留。"))


@bp.route("/<int:draw_id>/allow-attempt", methods=["POST"])
@roles(Role.LEADER)
def allow_attempt(draw_id: int) -> Any:
    """A leader's decision after a failed perform: another attempt, with a recorded reason."""
    return _act(draw_id, lambda d: lifecycle.allow_new_attempt(current_user, d, request.form.get("reason", "")),
                _("已同意重新进行抽取：服务器已生成新的随机数承诺值，请纪检员重新输入见证随机数。"))


def _package_response(draw: Draw) -> Any:
    data = package.build(draw, current_app.config["AGENCY_NAME"])
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return send_file(io.BytesIO(body), mimetype="application/json", as_attachment=True,
                     download_name=f"draw-{draw.year}-{draw.id}-verification.json")


@bp.route("/<int:draw_id>/verification.json")
@roles(*VIEWERS)
def verification_package(draw_id: int) -> Any:
    """The verification package of any performed or failed draw (tools/verify_draw.py checks it)."""
    draw = _draw(draw_id)
    if not package.has_package(draw):
        abort(404)
    return _package_response(draw)


@public_bp.route("/")
@public
def public_index() -> Any:
    """Confirmed draws with their commitments and verification packages, for anyone."""
    return render_template("draws/public.html", draws=package.public_draws(), scopes=SCOPES)


@public_bp.route("/<int:draw_id>/verification.json")
@public
def public_package(draw_id: int) -> Any:
    """The public verification package of a confirmed draw (personal data reduced to what the law publishes)."""
    draw = db.session.get(Draw, draw_id)
    if draw is None or not package.is_public(draw):
        abort(404)
    return _package_response(draw)


@bp.route("/<int:draw_id>/verify", methods=["POST"])
@roles(*VIEWERS)
def verify_draw(draw_id: int) -> Any:
    """Re-run from the record and show the result."""
    draw = _draw(draw_id)
    return _record_page(draw, report=verify(draw))


@bp.route("/<int:draw_id>/record.docx")
@roles(*VIEWERS)
@reaches_down()
def record_docx(draw_id: int) -> Any:
    """抽取记录 (.docx)."""
    draw = _draw(draw_id)
    if draw.result is None:
        abort(404)
    return send_file(io.BytesIO(outputs.record_docx(draw, get_bureau(draw.bureau_id).name)), mimetype=DOCX,
                     as_attachment=True, download_name=f"{draw.year}年度抽取记录-{draw.id}.docx")


@bp.route("/<int:draw_id>/schedule.<fmt>")
@roles(*VIEWERS)
@reaches_down()
def schedule(draw_id: int, fmt: str) -> Any:
    """检查日程和人员安排表 (.docx or .xlsx)."""
    draw = _draw(draw_id)
    if draw.result is None or fmt not in ("docx", "xlsx"):
        abort(404)
    data = outputs.schedule_docx(draw) if fmt == "docx" else outputs.schedule_xlsx(draw)
    return send_file(io.BytesIO(data), mimetype=DOCX if fmt == "docx" else XLSX, as_attachment=True,
                     download_name=f"{draw.year}年度检查日程和人员安排表-{draw.id}.{fmt}")


