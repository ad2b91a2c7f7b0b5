"""Draw pages: prepare (supervision), witness and perform (discipline), confirm, redraw (leader approves),
verify, and the outputs."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.services.tree import get_bureau
from app.bureaus.web import reaches_down
from app.directories.models import InspectionItem, Tier
from app.documents.services.documents import draw_documents
from app.draws.models import Draw
from app.draws.services import draws, outputs
from app.draws.services.verify import verify
from app.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.web_helpers import translate

bp = Blueprint("draws", __name__, url_prefix="/draws")
VIEWERS = (Role.SUPERVISION, Role.DISCIPLINE, Role.LEADER, Role.LEGAL, Role.AUDITOR, Role.ADMIN)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    return render_template("draws/index.html", draws=draws.list_draws())


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.SUPERVISION)
def prepare() -> Any:
    """Parameters → frozen pools, exclusions and the nonce commitment."""
    tiers = list(db.session.scalars(select(Tier).where(Tier.active.is_(True)).order_by(Tier.position)))
    items = list(db.session.scalars(select(InspectionItem).where(InspectionItem.active.is_(True))
                                    .order_by(InspectionItem.code)))
    year = draws.next_draw_year()
    values: dict[str, Any] = {"year": year, "ratio": "0.2", "rest_years": 1, "experts_per_team": 1,
                              "experts_to_draw": "", "tier_ids": [t.id for t in tiers],
                              "item_codes": [i.code for i in items], "period_start": f"{year}-03-01",
                              "period_end": f"{year}-10-31"}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("year", "ratio", "rest_years", "experts_per_team",
                                                        "experts_to_draw", "period_start", "period_end")}
        values["tier_ids"] = [int(t) for t in request.form.getlist("tier_ids") if t.isdigit()]
        values["item_codes"] = request.form.getlist("item_codes")
        try:
            draw = draws.prepare(current_user, values)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(_("抽取池已冻结。请纪检员登录后在本页输入见证随机数进行抽取。"), "success")
            return redirect(url_for("draws.show", draw_id=draw.id))
    return render_template("draws/prepare.html", tiers=tiers, items=items, values=values, errors=errors,
                           form=ConfirmForm()), 400 if errors else 200


@bp.route("/<int:draw_id>")
@roles(*VIEWERS)
@reaches_down()
def show(draw_id: int) -> Any:
    """The draw record: before the draw its pools and commitment; afterwards every stage and the schedule."""
    return _record_page(_draw(draw_id), report=None)


def _record_page(draw: Draw, report: Any) -> str:
    names = {o["code"]: o["name"] for o in draw.pools["objects"]}
    people = {o["code"]: o["name"] for t in draw.pools["tiers"] for o in t["officers"]}
    people.update({e["code"]: e["name"] for e in draw.pools["experts"]})
    redraws = [d for d in draws.list_draws() if d.redraw_of_id == draw.id]
    return render_template("draws/show.html", draw=draw, names=names, people=people, form=ConfirmForm(),
                           reasons=outputs.REASONS, redraws=redraws, report=report,
                           documents=draw_documents(draw.id))


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
            for messages in exc.errors.values():
                for message in messages:
                    flash(_(message), "danger")
        return redirect(url_for("draws.show", draw_id=draw_id), code=303)
    db.session.commit()
    flash(success if not callable(success) else success(outcome), "success")
    target = outcome.id if isinstance(outcome, Draw) and outcome is not draw else draw_id
    return redirect(url_for("draws.show", draw_id=target))


@bp.route("/<int:draw_id>/perform", methods=["POST"])
@roles(Role.DISCIPLINE)
def perform(draw_id: int) -> Any:
    """The discipline inspector's entropy; the draw runs at once."""
    return _act(draw_id, lambda d: draws.perform(current_user, d, request.form.get("entropy", "")), _("抽取完成。"))


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
    return _act(draw_id, lambda d: draws.request_redraw(current_user, d, request.form.get("reason", "")),
                _("已提交重新抽取申请，待局领导批准。"))


@bp.route("/<int:draw_id>/approve-redraw", methods=["POST"])
@roles(Role.LEADER)
def approve_redraw(draw_id: int) -> Any:
    """A leader approves: the original stays visible; a new draw is prepared."""
    return _act(draw_id, lambda d: draws.approve_redraw(current_user, d), _("已批准重新抽取，原记录保留。"))


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


