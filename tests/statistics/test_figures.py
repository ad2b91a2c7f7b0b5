"""Issue 14 point 5: every figure against a hand-counted year (run on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.statistics.models import CaseFact, CaseProblem
from app.statistics.services import figures
from tests.statistics.scenario import build, period


def _values(figure):
    return {row.label: row.values for row in figure.rows}


def test_case_facts_follow_each_step():
    year = build()
    a, b, c = (db.session.get(CaseFact, i) for i in (year.compliant, year.rectified, year.transferred))
    assert (a.stage, a.outcome, a.rect_rounds) == ("closed", "compliant", 0)
    assert (b.stage, b.outcome, b.rect_rounds, b.rect_days) == ("rectified", "problems", 2, 0)
    assert (c.stage, c.outcome, c.transferred_case_id) == ("transferred", "violation", year.transferred_case)
    assert {db.session.get(CaseFact, i).stage for i in year.planned} == {"planned"}
    d = db.session.get(CaseFact, year.transferred_case)
    assert (d.kind, d.source, d.inspection_case_id) == ("case", "inspection", year.transferred)
    e, f = db.session.get(CaseFact, year.complaint), db.session.get(CaseFact, year.referral)
    assert (e.source, e.decision, e.fine_amount) == ("complaint", "fine", Decimal("90000.00"))
    assert (f.source, f.decision, f.fine_amount) == ("referral", "fine", Decimal("12000.00"))
    ours = (year.compliant, year.rectified, year.transferred)
    problems = sorted((p.case_id, p.area) for p in db.session.query(CaseProblem) if p.case_id in ours)
    assert problems == sorted([(year.compliant, "storage"), (year.rectified, "storage"),
                               (year.rectified, "management"), (year.transferred, "storage")])


def _snapshot(period):
    """Every number of every figure, by (figure, row, column); the demo data's numbers are the baseline."""
    numbers = {}
    for figure in [*figures.all_figures(period), figures.legal_review_days(period)]:
        for row in figure.rows:
            for index, value in enumerate(row.values):
                if figure.key != "yoy" or index < 2:
                    numbers[(figure.key, str(row.label), index)] = value or 0
    numbers.update({("headline", key, 0): value for key, value in figures.headline(period).items()})
    return numbers


def _added(before, after):
    """What the scenario added (rows that only exist now count from zero)."""
    return {key: value - before.get(key, 0) for key, value in after.items() if value != before.get(key, 0)}


# The hand count of the scenario (tests/statistics/scenario.py): (figure, row, column) → how much it adds.
EXPECTED = {
    ("by_outcome", "未发现违法行为", 0): 1, ("by_outcome", "发现问题责令整改", 0): 1,
    ("by_outcome", "涉嫌违法移送立案", 0): 1,
    ("problems", "档案库房、设施设备", 0): 3, ("problems", "档案库房、设施设备", 1): 3,
    ("problems", "档案收集、整理、保管、提供利用", 0): 1, ("problems", "档案收集、整理、保管、提供利用", 1): 1,
    ("rectification", "10 日以内", 0): 1,
    ("case_source", "随机抽查移送", 0): 1, ("case_source", "投诉举报", 0): 1, ("case_source", "其他机关移送", 0): 1,
    ("case_decision", "罚款", 0): 2, ("case_decision", "罚款", 1): Decimal("102000.00"),
    ("case_amount", "5000–2 万元", 0): 1, ("case_amount", "5 万元以上", 0): 1,
    ("legal_reviews", "同意", 0): 1, ("legal_reviews", "修改后同意", 0): 1,
    ("headline", "inspections", 0): 3, ("headline", "with_problems", 0): 2, ("headline", "cases", 0): 3,
    ("headline", "fines", 0): Decimal("102000.00"), ("headline", "reviews", 0): 2,
    ("yoy", "检查单位数", 0): 3, ("yoy", "发现问题或违法的单位数", 0): 2, ("yoy", "立案数", 0): 3,
    ("yoy", "罚款金额（元）", 0): Decimal("102000.00"), ("yoy", "法制审核数", 0): 2,
    # the period spans this year and the next, so "a year earlier" (last year and this) also holds today's
    # cases and reviews — but not the inspections, checked next year
    ("yoy", "立案数", 1): 3, ("yoy", "罚款金额（元）", 1): Decimal("102000.00"), ("yoy", "法制审核数", 1): 2,
}


def test_every_figure_matches_the_hand_count():
    before = _snapshot(period())
    year = build()
    added = _added(before, _snapshot(year.period))
    for key, value in EXPECTED.items():
        assert added.pop(key, 0) == value, key
    # the rest: by month, district and unit type (the same three inspections), the open steps of the three new
    # cases, the two reviews' timeliness, and the tasks the scenario completed
    assert sum(v for (f, _r, i), v in added.items() if f == "by_month" and i == 0) == 3
    assert sum(v for (f, _r, i), v in added.items() if f == "by_district") == 3
    assert sum(v for (f, _r, i), v in added.items() if f == "by_unit_type") == 3
    assert sum(v for (f, _r, i), v in added.items() if f == "case_stage") == 3
    assert sum(v for (f, _r, i), v in added.items() if f == "legal_review_days") == 2
    assert added.get(("tasks_office", "法制科", 0), 0) >= 5  # two filings, two reviews, the transfer registration
    unexplained = {k: v for k, v in added.items() if k[0] not in (
        "by_month", "by_district", "by_unit_type", "case_stage", "legal_review_days", "tasks_office", "tasks_person")}
    assert unexplained == {}


def test_a_county_reads_none_of_the_city_figures():
    from app.bureaus import context

    year = build()
    county = figures.Period(year.period.start, year.period.end)
    with context.use(context.for_bureau(2)):
        assert figures.headline(county)["inspections"] == 0
        assert figures.inspections_by_outcome(county).total() == 0


def test_disclosure_timeliness_counts_first_publications_against_their_deadline():
    from datetime import date, datetime

    from app.disclosure.models import DisclosureItem

    def item(n, kind, published, due):
        return DisclosureItem(public_id=f"stat-{n}", kind=kind, year=2031, status="published", tab="decisions",
                              on_portal=True, title=f"统计{n}", published_at=published, due_on=due, bureau_id=1)

    # 2031-05-10 02:00 UTC is 10:00 on 10 May in Asia/Shanghai; 2031-05-10 17:00 UTC is already 11 May there
    db.session.add_all([item(1, "penalty_decision", datetime(2031, 5, 10, 2), date(2031, 5, 10)),
                        item(2, "penalty_decision", datetime(2031, 5, 10, 17), date(2031, 5, 10)),
                        item(3, "inspection_result", datetime(2031, 6, 1, 2), date(2031, 6, 30)),
                        item(4, "inspection_result", datetime(2032, 1, 5, 2), date(2031, 12, 30))])
    db.session.flush()
    figure = figures.disclosure_timeliness(figures.Period(date(2031, 1, 1), date(2031, 12, 31)))
    assert _values(figure) == {"行政处罚决定": [2, 1, 50.0], "抽查结果": [1, 1, 100.0]}
