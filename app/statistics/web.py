"""Statistics pages: the year's inspection board, the dashboard with charts (tables rendered here, charts drawn
by ECharts from those tables), Excel exports, and the annual 三项制度 report (draft → edit → issue)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Font

from app.access import roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.services import tree
from app.bureaus.web import reaches_down
from app.clock import local_today, utcnow
from app.directories.services.specs import UNIT_TYPES
from app.documents.services.documents import get_document
from app.documents.services.renderers import ANNUAL_SECTIONS
from app.errors import N_, DomainError, NotFound
from app.extensions import db
from app.recording import services as recording
from app.spreadsheets import escape_cell
from app.statistics.models import STAGES
from app.statistics.services import board, figures, reports
from app.web_helpers import field_errors, parse_day, translate

bp = Blueprint("statistics", __name__, url_prefix="/statistics")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BOARD_ROLES = (Role.SUPERVISION, Role.LEADER, Role.DISCIPLINE, Role.AUDITOR)
STATS_ROLES = (Role.SUPERVISION, Role.LEADER, Role.LEGAL, Role.DISCIPLINE, Role.AUDITOR)
STAGE_LABELS = {"planned": N_("已计划"), "checked": N_("已检查"), "rectifying": N_("整改中"), "rectified": N_("已整改"),
                "transferred": N_("已移送立案"), "closed": N_("已办结")}


def _readable_bureaus() -> list[Any]:
    ids = tree.descendant_ids(current_user.bureau_id) if current_user.role_set & tree.UPWARD_ROLES \
        else frozenset({current_user.bureau_id})
    return [b for b in tree.all_bureaus() if b.id in ids]


def _bureau_choice(raw: str, bureaus: list[Any], errors: dict[str, str]) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in {b.id for b in bureaus}:
        errors["bureau"] = _("请选择本局或下级局。")
        return None
    return int(raw)


def _period(args: Any) -> tuple[figures.Period, dict[str, str], list[Any]]:
    errors: dict[str, str] = {}
    today = local_today()
    year = args.get("year", "").strip()
    if year.isdigit() and 2000 <= int(year) <= 2100 and not args.get("start") and not args.get("end"):
        start, end = date(int(year), 1, 1), date(int(year), 12, 31)
    else:
        start = parse_day(args.get("start", "").strip(), "start", errors) or date(today.year, 1, 1)
        end = parse_day(args.get("end", "").strip(), "end", errors) or date(today.year, 12, 31)
    if end < start:
        errors["end"] = _("结束日期不能早于 %(d)s。", d=start.isoformat())
        end = date(start.year, 12, 31)
    if (end - start).days > 366 * 5:
        errors["end"] = _("统计期间不能超过 5 年。")
        end = date(start.year, 12, 31)
    bureaus = _readable_bureaus()
    bureau_id = _bureau_choice(args.get("bureau", "").strip(), bureaus, errors)
    return figures.Period(start, end, bureau_id), errors, bureaus


def link_for(figure: figures.Figure, params: dict[str, Any] | None, period: figures.Period) -> str | None:
    """The URL of the list behind one number."""
    if params is None:
        return None
    params = dict(params)
    target = params.pop("_target", figure.target)
    if target == "self":
        return url_for("statistics.dashboard", bureau=params["_self"], **period.dates())
    if period.bureau_id and "bureau" not in params:
        params["bureau"] = period.bureau_id
    params = {k: v for k, v in params.items() if v not in (None, "")}
    if target == "board":
        return url_for("statistics.board", **params)
    if target == "cases":
        return url_for("workflow.case_list", **params)
    return None


@bp.route("/")
@roles(*STATS_ROLES)
@reaches_down()
def dashboard() -> Any:
    """Every figure of the period as a table (with its chart), the roll-up per bureau and recording coverage."""
    period, errors, bureaus = _period(request.args)
    tally = figures.tally(period)  # the case facts counted once for the figures and the roll-up
    shown = figures.all_figures(period, tally)
    summary = figures.per_bureau(period, bureaus, tally)
    coverage = recording.coverage(period.utc_start, period.utc_end)
    if period.bureau_id is not None:
        coverage = [c for c in coverage if c.item.bureau_id == period.bureau_id]
    return render_template("statistics/dashboard.html", period=period, errors=errors, figures=shown,
                           summary=summary, bureaus=bureaus, coverage=coverage, link_for=link_for,
                           method_labels=recording.METHOD_LABELS, year=period.start.year), 400 if errors else 200


def _sheet(workbook: Workbook, title: str, headers: list[str], rows: list[list[Any]], first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31].replace("/", "／")
    sheet.append([escape_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([escape_cell(v) if isinstance(v, str) else (float(v) if v is not None and not isinstance(
            v, int | float) else v) for v in row])
    sheet.column_dimensions["A"].width = 30


def _xlsx(workbook: Workbook, name: str) -> Any:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/export.xlsx")
@roles(*STATS_ROLES)
@reaches_down()
def export() -> Any:
    """The dashboard as a workbook: one sheet per figure."""
    period, errors, bureaus = _period(request.args)
    if errors:
        abort(400)
    workbook = Workbook()
    tally = figures.tally(period)
    summary = figures.per_bureau(period, bureaus, tally)
    _sheet(workbook, _(summary.title), [_(h) for h in summary.headers],
           [[r.label, *r.values] for r in summary.rows], first=True)
    for number, figure in enumerate(figures.all_figures(period, tally), start=1):
        _sheet(workbook, f"{number}.{_(figure.title)}", [_(h) for h in figure.headers],
               [[_(r.label) if figure.key not in ("by_district", "tasks_person", "case_stage")
                 else r.label, *r.values] for r in figure.rows])
    return _xlsx(workbook, f"statistics-{period.start.isoformat()}-{period.end.isoformat()}.xlsx")


def _board_query(args: Any) -> tuple[board.BoardQuery, dict[str, str], dict[str, str]]:
    raw = {k: (args.get(k) or "").strip() for k in ("year", "on", "start", "end", "stage", "outcome", "district",
                                                      "unit_type", "area", "rect_min", "rect_max", "overdue", "q",
                                                      "bureau")}
    errors: dict[str, str] = {}
    start, end = parse_day(raw["start"], "start", errors), parse_day(raw["end"], "end", errors)
    year = int(raw["year"]) if raw["year"].isdigit() and 2000 <= int(raw["year"]) <= 2100 else None
    if raw["year"] and year is None:
        errors["year"] = _("年度应为 2000–2100 之间的年份。")
    if year is None and start is None and end is None:
        year = local_today().year
        raw["year"] = str(year)
    bureau_id = _bureau_choice(raw["bureau"], _readable_bureaus(), errors)
    query = board.BoardQuery(
        year=year, on=raw["on"] if raw["on"] in board.DATE_FIELDS else "planned", start=start, end=end,
        stage=raw["stage"] if raw["stage"] in STAGES else None, outcome=raw["outcome"][:20] or None,
        district=raw["district"][:50] if "district" in args else None,
        unit_type=raw["unit_type"][:20] if "unit_type" in args else None, area=raw["area"][:30] or None,
        rect_min=int(raw["rect_min"]) if raw["rect_min"].isdigit() else None,
        rect_max=int(raw["rect_max"]) if raw["rect_max"].isdigit() else None,
        overdue=raw["overdue"] == "1", text=raw["q"][:100], bureau_id=bureau_id)
    kept = {k: v for k, v in raw.items() if v or (k in ("district", "unit_type") and k in args)}
    return query, kept, errors


@bp.route("/board", endpoint="board")
@roles(*BOARD_ROLES)
@reaches_down()
def board_page() -> Any:
    """The year's inspection board, paged (50 rows), with filters."""
    query, kept, errors = _board_query(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = board.search(query, utcnow(), page=page)
    pages = max((min(total, board.COUNT_LIMIT) + board.PER_PAGE - 1) // board.PER_PAGE, 1)
    names = {b.id: b.name for b in _readable_bureaus()}
    return render_template("statistics/board.html", unit_types=dict(UNIT_TYPES),
                           rows=rows, total=total, page=page, pages=pages, filters=kept,
                           errors=errors, stages=STAGES, stage_labels=STAGE_LABELS, outcomes=figures.OUTCOMES,
                           areas=figures.AREAS, bureau_names=names, count_limit=board.COUNT_LIMIT,
                           bureaus=_readable_bureaus()), 400 if errors else 200



@bp.route("/board.xlsx")
@roles(*BOARD_ROLES)
@reaches_down()
def board_export() -> Any:
    """Every row the board's filters match, as a workbook."""
    query, _kept, errors = _board_query(request.args)
    if errors:
        abort(400)
    rows, _total = board.search(query, utcnow(), everything=True)
    names = {b.id: b.name for b in _readable_bureaus()}
    unit_types = dict(UNIT_TYPES)
    workbook = Workbook()
    headers = [_("档案局"), _("检查对象"), _("区域"), _("单位类型"), _("检查组"), _("计划日期"), _("检查日期"),
               _("阶段"), _("检查结论"), _("整改轮次"), _("逾期事项"), _("案件编号")]
    _sheet(workbook, _("年度检查进度"), headers, [
        [names.get(r.fact.bureau_id, ""), r.object_name, r.district, _(unit_types.get(r.unit_type, r.unit_type)),
         r.fact.team,
         r.fact.planned_date.isoformat() if r.fact.planned_date else "",
         r.fact.checked_on.isoformat() if r.fact.checked_on else "", _(STAGE_LABELS[r.fact.stage]),
         _(figures.OUTCOMES[r.fact.outcome]) if r.fact.outcome in figures.OUTCOMES else "", r.fact.rect_rounds,
         "、".join(r.overdue), r.fact.case_id] for r in rows], first=True)
    return _xlsx(workbook, f"inspection-board-{query.year or 'period'}.xlsx")


@bp.route("/report/<int:year>", methods=["GET", "POST"])
@roles(Role.SUPERVISION, Role.LEGAL, Role.LEADER)
def annual_report(year: int) -> Any:
    """The year's 三项制度 report: start the draft, edit its sections, issue it with a number."""
    if not 2000 <= year <= 2100:
        abort(404)
    form = ConfirmForm()
    report = reports.get_report(year)
    errors: dict[str, list[str]] = {}
    values = dict(report.sections) if report else {}
    may_edit = bool(current_user.role_set & set(reports.EDITORS))
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "")
        values = {key: request.form.get(key, "") for key, _t in ANNUAL_SECTIONS}
        try:
            if action == "start":
                report = reports.start(current_user, year)
                message = _("已根据本年度数据生成报告草稿，请修改后印发。")
            elif report is None:
                abort(404)
            elif action == "issue":
                reports.save(current_user, report, values)
                document = reports.issue(current_user, report)
                message = _("报告已印发，文号 %(n)s。", n=document.number)
            else:
                reports.save(current_user, report, values)
                message = _("草稿已保存。")
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            errors = field_errors(exc)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("statistics.annual_report", year=year))
    document = get_document(report.document_id) if report and report.document_id else None
    return render_template("statistics/report.html", year=year, report=report, values=values, errors=errors,
                           form=form, sections=ANNUAL_SECTIONS, document=document, may_edit=may_edit), \
        400 if errors else 200


@bp.route("/report/<int:year>/download")
@roles(Role.SUPERVISION, Role.LEGAL, Role.LEADER)
def annual_report_download(year: int) -> Any:
    """The issued report (.docx)."""
    report = reports.get_report(year)
    if report is None or report.document_id is None:
        abort(404)
    try:
        document = get_document(report.document_id)
    except NotFound:
        abort(404)
    return send_file(io.BytesIO(document.content), mimetype=DOCX, as_attachment=True,
                     download_name=document.filename)
