"""The 三项制度 annual work report: a draft assembled from the year's figures, edited section by section, then
issued as a numbered document (.docx with the figures as tables and charts)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.clock import utcnow
from app.documents.services.bureau import get_bureau
from app.documents.services.documents import generate
from app.documents.services.renderers import ANNUAL_SECTIONS
from app.errors import N_, Conflict, PermissionDenied, ValidationFailed
from app.extensions import db
from app.recording import services as recording
from app.statistics.models import AnnualReport
from app.statistics.services import figures

EDITORS = (Role.SUPERVISION, Role.LEGAL)
MAX_SECTION = 5000


def _require(actor: User) -> None:
    if not actor.role_set & set(EDITORS):
        raise PermissionDenied(N_("只有监督指导科或法制科可以编写年度报告。"))


def year_period(year: int) -> figures.Period:
    return figures.Period(date(year, 1, 1), date(year, 12, 31))


def draft_text(year: int) -> dict[str, str]:
    """Opening text for each section, with the year's figures filled in (the user edits it)."""
    period = year_period(year)
    head = figures.headline(period)
    outcome = {r.label: r.values[0] for r in figures.inspections_by_outcome(period).rows}
    reviews = figures.legal_reviews(period)
    days = figures.legal_review_days(period)
    covered = recording.coverage(period.utc_start, period.utc_end)
    done = sum(c.completed for c in covered)
    recorded = sum(c.recorded for c in covered)
    return {
        "overview": f"{year}年，我局依法开展档案行政执法工作，全年随机抽查检查单位{head['inspections']}个，"
                    f"其中发现问题或涉嫌违法的{head['with_problems']}个；立案{head['cases']}件，罚款共计{head['fines']:,.2f}元。",
        "publicity": "按照“双随机、一公开”要求，抽查事项清单、抽取结果和检查结果依法公示。检查结论：" + "；".join(
            f"{label}{n}个" for label, n in outcome.items()) + "。",
        "recording": f"按照《音像记录事项清单》，列入清单的执法环节共办理{done}次，其中有音像记录的{recorded}次，"
                     f"未记录并说明原因的{done - recorded}次。",
        "review": f"全年法制审核{reviews.total()}件，其中期限内完成{days.rows[0].values[0]}件、超期完成"
                  f"{days.rows[1].values[0]}件，平均用时约{round(float(days.note))}日。",
        "problems": "（请填写执法工作中存在的问题。）",
        "plans": "（请填写下一年度的工作打算。）",
    }


def get_report(year: int) -> AnnualReport | None:
    """The current bureau's report of that year, if one was started."""
    return db.session.scalar(select(AnnualReport).where(AnnualReport.year == year))


def start(actor: User, year: int) -> AnnualReport:
    """The year's draft (created from the figures the first time); audited when created."""
    _require(actor)
    report = get_report(year)
    if report is not None:
        return report
    report = AnnualReport(year=year, sections=draft_text(year), status="draft", updated_at=utcnow(),
                          updated_by_id=actor.id, bureau_id=actor.bureau_id)
    db.session.add(report)
    db.session.flush()
    record_event("annual_report.started", actor=actor, object_type="annual_report", object_id=report.id,
                 details={"year": year})
    return report


def save(actor: User, report: AnnualReport, sections: dict[str, str]) -> AnnualReport:
    """Keep the edited text (every section ≤ 5000 characters); refused once issued."""
    _require(actor)
    if report.status != "draft":
        raise Conflict(N_("报告已印发，不能再修改。"))
    errors = {key: [N_("不能超过 5000 个字。")] for key, _t in ANNUAL_SECTIONS
              if len(sections.get(key) or "") > MAX_SECTION}
    if errors:
        raise ValidationFailed(errors)
    report.sections = {key: (sections.get(key) or "").replace("\r\n", "\n").strip() for key, _t in ANNUAL_SECTIONS}
    report.updated_at, report.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("annual_report.saved", actor=actor, object_type="annual_report", object_id=report.id,
                 details={"year": report.year, "sections": report.sections})
    return report


def _table(figure: figures.Figure, section: str, columns: int = 2) -> dict[str, Any]:
    return {"section": section, "title": figure.title, "chart": figure.chart,
            "headers": [str(h) for h in figure.headers[:columns]],
            "rows": [[row.label, *row.values[:columns - 1]] for row in figure.rows]}


def report_figures(year: int) -> list[dict[str, Any]]:
    """The tables (and charts) the issued report carries, by section."""
    period = year_period(year)
    covered = recording.coverage(period.utc_start, period.utc_end)
    recording_table = {"section": "recording", "title": "音像记录覆盖情况", "chart": "bar",
                       "headers": ["执法环节", "办理次数", "有音像记录", "说明原因"],
                       "rows": [[c.item.step_name, c.completed, c.recorded, c.with_reason] for c in covered]}
    return [_table(figures.inspections_by_outcome(period), "overview"),
            _table(figures.inspections_by_month(period), "publicity"),
            recording_table,
            _table(figures.legal_reviews(period), "review"),
            _table(figures.problems_by_area(period), "problems")]


def issue(actor: User, report: AnnualReport) -> Any:
    """Number and store the report as a document; the draft becomes read-only. Returns the document."""
    _require(actor)
    if report.status != "draft":
        raise Conflict(N_("报告已印发。"))
    document = generate(actor, "annual_report", {"year": report.year, "sections": report.sections,
                                                 "figures": report_figures(report.year),
                                                 "bureau_name": get_bureau().full_name})
    report.status, report.document_id = "issued", document.id
    report.updated_at, report.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("annual_report.issued", actor=actor, object_type="annual_report", object_id=report.id,
                 details={"year": report.year, "number": document.number, "document_id": document.id})
    return document

