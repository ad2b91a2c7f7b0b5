"""The figures of the statistics page: each one grouped SQL query over the case facts, the task index, the
inspection objects, legal reviews and attachments (never a loaded workflow). Every row carries the filters of
the list behind it, so each number links to exactly the rows it counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, distinct, func, select

from app.auth.models import User
from app.clock import to_utc, utcnow
from app.directories.models import InspectionObject
from app.directories.services.specs import UNIT_TYPES
from app.errors import N_
from app.extensions import db
from app.statistics.models import CaseFact, CaseProblem
from app.statistics.services import tallies, task_days
from app.workflow.models import LegalReview, Task

OUTCOMES = {"compliant": N_("未发现违法行为"), "problems": N_("发现问题责令整改"), "violation": N_("涉嫌违法移送立案")}
AREAS = {"responsibility": N_("档案工作责任制和管理制度"), "storage": N_("档案库房、设施设备"),
         "staffing": N_("档案工作人员配备"), "management": N_("档案收集、整理、保管、提供利用"),
         "information": N_("档案信息化建设和信息安全"), "guidance": N_("对所属单位档案工作的监督指导")}
SOURCES = {"inspection": N_("随机抽查移送"), "complaint": N_("投诉举报"), "referral": N_("其他机关移送"),
           "other": N_("其他")}
DECISIONS = {"fine": N_("罚款"), "sanction": N_("处分建议"), "no_penalty": N_("不予行政处罚")}
REVIEWS = {"agree": N_("同意"), "revise": N_("修改后同意"), "disagree": N_("不同意"),
           "collective_agreed": N_("集体讨论决定作出"), "collective_refused": N_("集体讨论决定不作出")}
ROLES = {"supervision": N_("监督指导科"), "legal": N_("法制科"), "inspector": N_("执法检查人员"), "expert": N_("专家"),
         "discipline": N_("纪检员"), "leader": N_("局领导"), "auditor": N_("监督审计"), "admin": N_("系统管理员")}
RECT_BUCKETS = ((0, 10, N_("10 日以内")), (11, 20, N_("11–20 日")), (21, 30, N_("21–30 日")),
                (31, None, N_("30 日以上")))
AMOUNT_BUCKETS = ((Decimal(0), Decimal("5000"), N_("5000 元以下")),
                  (Decimal("5000"), Decimal("20000"), N_("5000–2 万元")),
                  (Decimal("20000"), Decimal("50000"), N_("2 万–5 万元")),
                  (Decimal("50000"), None, N_("5 万元以上")))
NO_LABEL = N_("未填写")


@dataclass(frozen=True)
class Period:
    """Local dates [start, end] and the readable bureaus chosen (None: all readable)."""

    start: date
    end: date
    bureau_id: int | None = None

    @property
    def utc_start(self) -> datetime:
        return to_utc(datetime.combine(self.start, time.min))

    @property
    def utc_end(self) -> datetime:
        return to_utc(datetime.combine(self.end + timedelta(days=1), time.min))

    def previous_year(self) -> Period:
        def back(day: date) -> date:
            return day.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) else day.replace(
                year=day.year - 1, day=28)
        return Period(back(self.start), back(self.end), self.bureau_id)

    def dates(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass
class Row:
    """One labelled row: its numbers and, per number, the filters of the list behind it (None: no list)."""

    label: str
    values: list[Any]
    links: list[dict[str, Any] | None] = field(default_factory=list)


@dataclass
class Figure:
    """A table (and its chart): title, column headers, rows; `target` is the list the links open."""

    key: str
    title: str
    headers: list[str]
    rows: list[Row]
    target: str  # board | cases | none
    chart: str = "bar"  # bar | pie | line | none
    note: str = ""

    def total(self, column: int = 0) -> Any:
        return sum((r.values[column] or 0) for r in self.rows)


def _mine(statement: Any, column: Any, period: Period) -> Any:
    return statement.where(column == period.bureau_id) if period.bureau_id is not None else statement


def _checked(period: Period) -> Any:
    return (CaseFact.kind == "inspection", CaseFact.checked_on >= period.start, CaseFact.checked_on <= period.end)


def _checked_link(period: Period, **extra: Any) -> dict[str, Any]:
    return {"on": "checked", **period.dates(), **extra}


def tally(period: Period) -> tallies.Tally:
    """The period's inspections and enforcement cases counted once (pass it to the figures of one page)."""
    return tallies.count(period.start, period.end, period.bureau_id)


def _tally(period: Period, given: tallies.Tally | None) -> tallies.Tally:
    return given if given is not None else tally(period)


def _add_pair(totals: dict[Any, tuple[Any, Any]], key: Any, first: Any, second: Any) -> None:
    """Add (first, second) to the running pair of `key` (counts and sums regrouped from finer groups)."""
    before = totals.get(key, (0, 0))
    totals[key] = (before[0] + first, before[1] + second)


def inspections_by_month(period: Period, tally: tallies.Tally | None = None) -> Figure:
    counts: dict[tuple[int, int], dict[str | None, int]] = {}
    for check in _tally(period, tally).mine_checks():
        by = counts.setdefault((check.year, check.month), {})
        by[check.outcome] = by.get(check.outcome, 0) + check.count
    rows = []
    for (y, m), by in sorted(counts.items()):
        first = max(date(y, m, 1), period.start)
        last = min((date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)), period.end)
        dates = {"on": "checked", "start": first.isoformat(), "end": last.isoformat()}
        values = [sum(by.values()), *(by.get(o, 0) for o in OUTCOMES)]
        rows.append(Row(f"{y}-{m:02d}", values, [dates, *({**dates, "outcome": o} for o in OUTCOMES)]))
    return Figure("by_month", N_("按月检查数"), [N_("月份"), N_("检查数"), *OUTCOMES.values()], rows, "board")


def inspections_by_outcome(period: Period, tally: tallies.Tally | None = None) -> Figure:
    counts: dict[str | None, int] = {}
    for check in _tally(period, tally).mine_checks():
        counts[check.outcome] = counts.get(check.outcome, 0) + check.count
    rows = [Row(label, [int(counts.get(key, 0))], [_checked_link(period, outcome=key)])
            for key, label in OUTCOMES.items()]
    if counts.get(None):
        rows.append(Row(N_("尚无结论"), [int(counts[None])], [_checked_link(period, outcome="none")]))
    return Figure("by_outcome", N_("检查结论"), [N_("结论"), N_("检查数")], rows, "board", "pie")


def _by_object_column(period: Period, column: Any, key: str, title: str, header: str) -> Figure:
    statement = _mine(select(column, func.count()).select_from(CaseFact)
                      .join(InspectionObject, InspectionObject.id == CaseFact.object_id)
                      .where(*_checked(period)), CaseFact.bureau_id, period).group_by(column).order_by(column)
    labels = dict(UNIT_TYPES) if key == "unit_type" else {}
    rows = [Row(labels.get(value, value) or NO_LABEL, [int(n)], [_checked_link(period, **{key: value or ""})])
            for value, n in db.session.execute(statement)]
    return Figure(f"by_{key}", title, [header, N_("检查数")], rows, "board")


def inspections_by_district(period: Period) -> Figure:
    return _by_object_column(period, InspectionObject.district, "district", N_("按区域检查数"), N_("区域"))


def inspections_by_unit_type(period: Period) -> Figure:
    return _by_object_column(period, InspectionObject.unit_type, "unit_type", N_("按单位类型检查数"), N_("单位类型"))


def problems_by_area(period: Period) -> Figure:
    statement = _mine(select(CaseProblem.area, func.count(), func.count(distinct(CaseProblem.case_id)))
                      .where(CaseProblem.found_on >= period.start, CaseProblem.found_on <= period.end),
                      CaseProblem.bureau_id, period).group_by(CaseProblem.area)
    counts = {area: (int(n), int(c)) for area, n, c in db.session.execute(statement)}
    rows = [Row(label, list(counts.get(key, (0, 0))), [None, _checked_link(period, area=key)])
            for key, label in AREAS.items()]
    return Figure("problems", N_("发现问题（按《档案法》第四十二条所列方面）"),
                  [N_("方面"), N_("问题数"), N_("涉及单位数")], rows, "board")


def rectification_time(period: Period) -> Figure:
    bucket = case(*((CaseFact.rect_days <= high, index) for index, (_low, high, _l) in enumerate(RECT_BUCKETS)
                    if high is not None), else_=len(RECT_BUCKETS) - 1)
    statement = _mine(select(bucket, func.count(), func.sum(CaseFact.rect_days)).where(
        CaseFact.kind == "inspection", CaseFact.rectified_on >= period.start, CaseFact.rectified_on <= period.end),
        CaseFact.bureau_id, period).group_by(bucket)
    counts = {int(b): int(n) for b, n, _s in db.session.execute(statement)}
    dates = {"on": "rectified", **period.dates(), "stage": "rectified"}
    rows = [Row(label, [counts.get(index, 0)],
                [{**dates, "rect_min": low, **({"rect_max": high} if high is not None else {})}])
            for index, (low, high, label) in enumerate(RECT_BUCKETS)]
    return Figure("rectification", N_("整改用时（自责令改正至复查到位，日历日）"), [N_("用时"), N_("单位数")],
                  rows, "board")


def _started(period: Period) -> Any:
    return (CaseFact.kind == "case", CaseFact.started_on >= period.start, CaseFact.started_on <= period.end)


def _case_link(period: Period, **extra: Any) -> dict[str, Any]:
    return {**period.dates(), **({"bureau": period.bureau_id} if period.bureau_id else {}), **extra}


def cases_by_source(period: Period, tally: tallies.Tally | None = None) -> Figure:
    counts: dict[str | None, int] = {}
    for started in _tally(period, tally).mine_started():
        counts[started.source] = counts.get(started.source, 0) + started.count
    rows = [Row(label, [int(counts.get(key, 0))], [_case_link(period, source=key)]) for key, label in SOURCES.items()]
    return Figure("case_source", N_("案件来源"), [N_("来源"), N_("案件数")], rows, "cases", "pie")


def cases_by_stage(period: Period, tally: tallies.Tally | None = None) -> Figure:
    """Enforcement cases started in the period by where they stand: the open step, or finished."""
    pairs = _mine(select(Task.name, Task.case_id).join(CaseFact, CaseFact.case_id == Task.case_id)
                  .where(*_started(period), Task.state == "ready"), CaseFact.bureau_id, period).distinct().subquery()
    open_steps = select(pairs.c.name, func.count()).group_by(pairs.c.name).order_by(func.count().desc())
    rows = [Row(name, [int(n)], [_case_link(period, step=name, kind="case")])
            for name, n in db.session.execute(open_steps)]
    done = sum(started.count for started in _tally(period, tally).mine_started() if started.closed)
    rows.append(Row(N_("已办结"), [int(done)], [_case_link(period, status="completed", kind="case")]))
    return Figure("case_stage", N_("案件办理环节"), [N_("环节"), N_("案件数")], rows, "cases")


def cases_by_decision(period: Period, tally: tallies.Tally | None = None) -> Figure:
    counts: dict[str | None, tuple[int, Decimal]] = {}
    for started in _tally(period, tally).mine_started():
        _add_pair(counts, started.decision, started.count, started.fines)
    rows = [Row(label, [counts.get(key, (0, 0))[0], Decimal(counts.get(key, (0, 0))[1] or 0)],
                [_case_link(period, decision=key), None]) for key, label in DECISIONS.items()]
    return Figure("case_decision", N_("处理决定类型"), [N_("决定"), N_("案件数"), N_("罚款金额（元）")], rows, "cases")


def cases_by_amount(period: Period, tally: tallies.Tally | None = None) -> Figure:
    counts: dict[int, int] = {}
    for started in _tally(period, tally).mine_started():
        if started.decision == "fine" and started.bucket is not None:
            counts[started.bucket] = counts.get(started.bucket, 0) + started.count
    rows = [Row(label, [counts.get(index, 0)],
                [_case_link(period, decision="fine", amount_min=str(low),
                            **({"amount_max": str(high)} if high is not None else {}))])
            for index, (low, high, label) in enumerate(AMOUNT_BUCKETS)]
    return Figure("case_amount", N_("罚款金额分布"), [N_("金额"), N_("案件数")], rows, "cases")


def legal_reviews(period: Period) -> Figure:
    statement = _mine(select(LegalReview.outcome, func.count()).where(
        LegalReview.created_at >= period.utc_start, LegalReview.created_at < period.utc_end),
        LegalReview.bureau_id, period).group_by(LegalReview.outcome)
    counts = dict(db.session.execute(statement).all())
    rows = [Row(label, [int(counts.get(key, 0))], [_case_link(period, review=key, on="review")])
            for key, label in REVIEWS.items() if key in counts or key in ("agree", "revise", "disagree")]
    return Figure("legal_reviews", N_("法制审核结论"), [N_("结论"), N_("审核数")], rows, "cases", "pie")


def legal_review_days(period: Period) -> Figure:
    """Reviews completed in the period: how many within the time limit, how many after it, and the average days."""
    statement = _mine(select(Task.created_at, Task.completed_at, Task.due_at).where(
        Task.form_key == "lr_review", Task.state == "completed", Task.completed_at >= period.utc_start,
        Task.completed_at < period.utc_end), Task.bureau_id, period)
    on_time = late = 0
    days: list[float] = []
    for created, completed, due in db.session.execute(statement):
        days.append((completed - created).total_seconds() / 86400)
        if due is not None and completed > due:
            late += 1
        else:
            on_time += 1
    average = round(sum(days) / len(days), 1) if days else 0
    rows = [Row(N_("期限内完成"), [on_time], [None]), Row(N_("超过期限完成"), [late], [None])]
    return Figure("legal_review_days", N_("法制审核用时"), [N_("完成情况"), N_("审核数")], rows, "none",
                  note=f"{average}")


def disclosure_timeliness(period: Period) -> Figure:
    """Items first published in the period, per kind: how many, how many by their deadline, % on time (the
    publication's local date against `due_on`) — one query over the disclosure items."""
    from app.clock import to_local
    from app.disclosure.models import DisclosureItem
    from app.disclosure.services.kinds import KIND_LABELS

    statement = _mine(select(DisclosureItem.kind, DisclosureItem.published_at, DisclosureItem.due_on).where(
        DisclosureItem.published_at >= period.utc_start, DisclosureItem.published_at < period.utc_end),
        DisclosureItem.bureau_id, period)
    counts: dict[str, list[int]] = {}
    for kind, published_at, due_on in db.session.execute(statement):
        row = counts.setdefault(kind, [0, 0])
        row[0] += 1
        if due_on is None or to_local(published_at).date() <= due_on:
            row[1] += 1
    rows = [Row(KIND_LABELS.get(kind, kind), [n, on_time, round(100.0 * on_time / n, 1)], [None, None, None])
            for kind, (n, on_time) in sorted(counts.items(), key=lambda kv: list(KIND_LABELS).index(kv[0])
                                             if kv[0] in KIND_LABELS else 99)]
    return Figure("disclosure", N_("公示及时率"), [N_("公示事项"), N_("首次公示数"), N_("按期公示数"), N_("按期率")],
                  rows, "none", "bar")


def completed_tasks(period: Period) -> task_days.Counts:
    """Tasks of real cases completed in the period, per (office, person): shared by the two figures below."""
    return task_days.completed(period.utc_start, period.utc_end, period.bureau_id)


def tasks_by_office(period: Period, now: datetime | None = None,
                    counts: task_days.Counts | None = None) -> Figure:
    now = now or utcnow()
    counts = completed_tasks(period) if counts is None else counts
    overdue = _mine(select(Task.role, func.count()).where(Task.state == "ready", Task.due_at < now,
                                                          task_days.not_trial()),
                    Task.bureau_id, period).group_by(Task.role)
    completed: dict[str, tuple[int, int]] = {}
    for (role, _person), (n, lt) in counts.items():
        _add_pair(completed, role, n, lt)
    open_late = {r: int(n) for r, n in db.session.execute(overdue)}
    rows = []
    for role in sorted(set(completed) | set(open_late), key=lambda r: list(ROLES).index(r) if r in ROLES else 99):
        n, lt = completed.get(role, (0, 0))
        rows.append(Row(ROLES.get(role, role), [n, lt, open_late.get(role, 0)],
                        [None, None, _case_link(period, overdue="1", role=role, start="", end="")]))
    return Figure("tasks_office", N_("各科室办理量与逾期"),
                  [N_("科室"), N_("期间办结任务"), N_("其中超期办结"), N_("当前逾期未办")], rows, "cases")


def tasks_by_person(period: Period, counts: task_days.Counts | None = None) -> Figure:
    counts = completed_tasks(period) if counts is None else counts
    per_person: dict[int, tuple[int, int]] = {}
    for (_role, uid), (n, lt) in counts.items():
        if uid is not None:
            _add_pair(per_person, uid, n, lt)
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(list(per_person)))).all()) \
        if per_person else {}
    rows = [Row(names.get(uid, str(uid)), [n, lt], [_case_link(period, person=uid, on="task"), None])
            for uid, (n, lt) in sorted(per_person.items(), key=lambda kv: (-kv[1][0], names.get(kv[0], "")))]
    return Figure("tasks_person", N_("个人办理量"), [N_("人员"), N_("期间办结任务"), N_("其中超期办结")], rows[:30],
                  "cases", note=N_("前 30 名") if len(rows) > 30 else "")


def headline(period: Period, tally: tallies.Tally | None = None) -> dict[str, Any]:
    """The period's main counts (also the year-over-year columns)."""
    tally = _tally(period, tally)
    checks, started = tally.mine_checks(), tally.mine_started()
    inspections = (sum(c.count for c in checks),
                   sum(c.count for c in checks if c.outcome in ("problems", "violation")))
    cases = (sum(s.count for s in started), sum((s.fines for s in started), Decimal(0)))
    reviews = db.session.scalar(_mine(select(func.count()).select_from(LegalReview).where(
        LegalReview.created_at >= period.utc_start, LegalReview.created_at < period.utc_end),
        LegalReview.bureau_id, period))
    return {"inspections": int(inspections[0]), "with_problems": int(inspections[1] or 0), "cases": int(cases[0]),
            "fines": Decimal(cases[1] or 0).quantize(Decimal("0.01")), "reviews": int(reviews or 0)}


HEADLINE_LABELS = {"inspections": N_("检查单位数"), "with_problems": N_("发现问题或违法的单位数"),
                   "cases": N_("立案数"), "fines": N_("罚款金额（元）"), "reviews": N_("法制审核数")}


def year_over_year(period: Period, tally: tallies.Tally | None = None) -> Figure:
    now, before = headline(period, tally), headline(period.previous_year())
    prev = period.previous_year()
    targets = {"inspections": ("board", {"on": "checked"}), "with_problems": ("board", {"on": "checked",
                                                                                       "outcome": "found"}),
               "cases": ("cases", {"kind": "case"}), "reviews": ("cases", {"on": "review"})}
    rows = []
    for key, label in HEADLINE_LABELS.items():
        target = targets.get(key)
        links = [None, None, None]
        if target:
            links = [{"_target": target[0], **target[1], **period.dates()},
                     {"_target": target[0], **target[1], **prev.dates()}, None]
        change = None
        if before[key]:
            change = round(float((Decimal(now[key]) - Decimal(before[key])) * 100 / Decimal(before[key])), 1)
        rows.append(Row(label, [now[key], before[key], change], links))
    return Figure("yoy", N_("同比"), [N_("指标"), N_("本期"), N_("上年同期"), N_("增减率")], rows, "mixed", "none")


def per_bureau(period: Period, bureaus: list[Any], tally: tallies.Tally | None = None) -> Figure:
    """This bureau and each bureau below it, with the total (the roll-up of the main counts)."""
    tally = _tally(period, tally)
    inspections: dict[int, int] = {}
    for check in tally.checks:
        inspections[check.bureau_id] = inspections.get(check.bureau_id, 0) + check.count
    cases: dict[int, int] = {}
    for started in tally.started:
        cases[started.bureau_id] = cases.get(started.bureau_id, 0) + started.count
    problems = dict(db.session.execute(select(CaseProblem.bureau_id, func.count()).where(
        CaseProblem.found_on >= period.start, CaseProblem.found_on <= period.end)
        .group_by(CaseProblem.bureau_id)).all())
    rows = [Row(b.name, [int(inspections.get(b.id, 0)), int(problems.get(b.id, 0)), int(cases.get(b.id, 0))],
                [{"_self": b.id}, None, None]) for b in bureaus]
    return Figure("bureaus", N_("各局汇总"), [N_("档案局"), N_("检查单位数"), N_("发现问题数"), N_("立案数")], rows,
                  "self", "none")


def all_figures(period: Period, tally: tallies.Tally | None = None) -> list[Figure]:
    """Every chart of the page, in order (`tally`: the period's case facts counted once, shared with
    `per_bureau`)."""
    tally = _tally(period, tally)
    done = completed_tasks(period)  # one read for the office and the person figures
    return [inspections_by_month(period, tally), inspections_by_outcome(period, tally),
            inspections_by_district(period), inspections_by_unit_type(period), problems_by_area(period),
            rectification_time(period), cases_by_source(period, tally), cases_by_stage(period, tally),
            cases_by_decision(period, tally), cases_by_amount(period, tally), legal_reviews(period),
            legal_review_days(period), disclosure_timeliness(period), tasks_by_office(period, counts=done),
            tasks_by_person(period, counts=done), year_over_year(period, tally)]


def draw_problem_areas(draw_id: int) -> dict[str, int]:
    """Problems found by the inspections of one draw, per art. 42 area (for its results report's chart)."""
    counts = dict(db.session.execute(select(CaseProblem.area, func.count())
                                     .join(CaseFact, CaseFact.case_id == CaseProblem.case_id)
                                     .where(CaseFact.draw_id == draw_id).group_by(CaseProblem.area)).all())
    return {key: int(counts.get(key, 0)) for key in AREAS}
