"""Statistics benchmarks (issue 14; prints figures, targets: dashboard for one year p95 ≤ 300 ms, the year's
board p95 ≤ 100 ms per page, on PostgreSQL).

Data: 100,000 cases (40 % inspections of this year's and last year's draws, 60 % enforcement cases with sources,
decisions and fines), their facts, 40,000 problems, 5,000 legal reviews and 1,000,000 task rows (bulk COPY),
in the first bureau beside the demo data. Timed: full requests through the app (test client, one process).
The machine is shared by several helpers: wall times vary with its load; CPU time (time.process_time of this
process, i.e. Python side only — the database server's CPU is not in it) is printed beside them.

Run: .venv/bin/python benchmarks/statistics.py [--sqlite] [--explain]
(--explain: per dashboard path, the 5 slowest statements of one request with their ms and EXPLAIN ANALYZE)
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

# This file's folder would shadow the standard library's `statistics` (used by _setup): the repository instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks._setup import StatementCounter, database, make_app, pg_available, summary  # noqa: E402

CASES, TASKS, PROBLEMS, REVIEWS, OBJECTS = 100_000, 1_000_000, 40_000, 5_000, 2_000
AREAS = ("responsibility", "storage", "staffing", "management", "information", "guidance")
ROLES = ("inspector", "supervision", "legal", "leader", "expert")
NAMES = {"inspector": ("现场检查", "制定检查方案", "整改复查"), "supervision": ("登记单位整改报告",),
         "legal": ("法制审核", "填写立案审批表"), "leader": ("局领导审批立案", "局领导作出处罚决定"),
         "expert": ("专家评议",)}


def _copy(connection, table: str, columns: list[str], rows) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Bulk-load the data; returns (this year, the user id of the leader)."""
    import psycopg
    from sqlalchemy import select, text

    from app.auth.models import User
    from app.clock import utcnow
    from app.extensions import db
    from app.statistics.services import task_days
    from app.workflow.models import ProcessDefinition

    rng = random.Random(14)
    with app.app_context():
        now = utcnow()
        year = now.year
        users = list(db.session.scalars(select(User.id).where(User.bureau_id == 1)))
        definition = db.session.scalar(select(ProcessDefinition.id).order_by(ProcessDefinition.id))
        raw = db.session.connection().connection.driver_connection
        started = time.perf_counter()
        max_object = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM inspection_object"))
        _copy(raw, "inspection_object", ["id", "name", "credit_code", "unit_type", "district", "address",
                                         "contact_person", "contact_phone", "archives_staff", "active",
                                         "created_at", "updated_at", "bureau_id"],
              ((max_object + n, f"基准单位{n}", f"91BENCH{n:011d}", rng.choice(("agency", "institution", "enterprise")),
                f"第{n % 9}区", "", "", "", "", True, now, now, 1) for n in range(1, OBJECTS + 1)))
        first_case = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM workflow_case")) + 1
        first_task = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM task")) + 1

        def created(n: int) -> datetime:
            return now - timedelta(minutes=(n * 7) % (2 * 365 * 24 * 60))

        _copy(raw, "workflow_case", ["id", "definition_id", "subject", "party", "status", "state",
                                     "serializer_version", "lock_version", "created_at", "updated_at", "trial",
                                     "bureau_id"],
              ((first_case + n, definition, f"基准案件{n}", f"基准单位{n % OBJECTS}",
                "completed" if n % 3 else "running", "", "1", 1, created(n), now, False, 1) for n in range(CASES)))
        facts = []
        for n in range(CASES):
            day = created(n).date()
            if n % 5 < 2:  # inspection
                checked = day if n % 4 else None
                outcome = rng.choice(("compliant", "compliant", "problems", "violation")) if checked else None
                stage = ("planned" if not checked else {"compliant": "closed", "problems": "rectifying",
                                                       "violation": "transferred"}[outcome])
                rect = rng.randint(3, 45) if outcome == "problems" and n % 2 else None
                facts.append((first_case + n, "inspection", "random_inspection", day, None, day.year, None,
                              max_object + 1 + n % OBJECTS, day, "执法人员甲、执法人员乙；专家：专家丙",
                              "rectified" if rect else stage, checked, outcome, 1 if rect else 0,
                              day if outcome == "problems" else None, day + timedelta(days=rect) if rect else None,
                              rect, None, None, None, None, None, None, 1))
            else:
                decision = rng.choice((None, "fine", "fine", "sanction", "no_penalty"))
                facts.append((first_case + n, "case", "case_handling", day, day if n % 3 else None, None, None, None,
                              None, "", "planned", None, None, 0, None, None, None, None,
                              rng.choice(("inspection", "complaint", "referral", "other")), decision,
                              rng.randint(10, 100) * 1000 if decision == "fine" else None, None, None, 1))
        _copy(raw, "case_fact", ["case_id", "kind", "process_id", "started_on", "closed_on", "year", "draw_id",
                                 "object_id", "planned_date", "team", "stage", "checked_on", "outcome",
                                 "rect_rounds", "rect_started_on", "rectified_on", "rect_days",
                                 "transferred_case_id", "source", "decision", "fine_amount", "decided_on",
                                 "inspection_case_id", "bureau_id"], facts)
        _copy(raw, "case_problem", ["case_id", "area", "found_on", "bureau_id"],
              ((first_case + (n * 5) % CASES, AREAS[n % 6], created(n).date(), 1) for n in range(PROBLEMS)))

        def tasks():
            for n in range(TASKS):
                role = ROLES[n % len(ROLES)]
                made = created(n // 10) + timedelta(hours=n % 10)
                done = n % 7 != 0
                yield (first_task + n, first_case + n // 10, f"bench-{n}", f"e{n % 10}",
                       "法制审核" if n % 100 == 0 else rng.choice(NAMES[role]), role, role,
                       "lr_review" if n % 100 == 0 else None, False, "completed" if done else "ready", made,
                       made + timedelta(days=rng.randint(0, 12)) if done else None,
                       users[n % len(users)] if done else None, made + timedelta(days=7), 1)
        # a bulk load, not a million completions: the task_day triggers stay off, then one recount (as after a
        # restore); the rows completed one by one in production pass the same triggers
        db.session.execute(text("ALTER TABLE task DISABLE TRIGGER task_day_count"))
        _copy(raw, "task", ["id", "case_id", "spiff_task_id", "element_id", "name", "lane", "role", "form_key",
                            "restricted", "state", "created_at", "completed_at", "completed_by_id", "due_at",
                            "bureau_id"], tasks())
        _copy(raw, "legal_review", ["case_id", "task_id", "reviewer_id", "outcome", "elements", "opinion",
                                    "created_at", "bureau_id"],
              ((first_case + n * 20, first_task + n * 200, users[0], ("agree", "revise", "disagree")[n % 3], "{}",
                "", created(n * 20), 1) for n in range(REVIEWS)))
        db.session.execute(text("ALTER TABLE task ENABLE TRIGGER task_day_count"))
        task_days.rebuild()
        for table in ("inspection_object", "workflow_case", "case_fact", "case_problem", "task", "legal_review",
                      "task_day"):
            if table != "case_fact":  # keyed by case id: no sequence of its own
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()
        print(f"  loaded {CASES:,} cases, {TASKS:,} tasks, {PROBLEMS:,} problems, {REVIEWS:,} reviews "
              f"in {time.perf_counter() - started:.1f} s")
        # autovacuum's work after a bulk insert (visibility map: index-only scans), done now rather than meanwhile
        with psycopg.connect(db.engine.url.render_as_string(hide_password=False).replace("+psycopg", ""),
                             autocommit=True) as vacuum:
            for table in ("workflow_case", "case_fact", "task", "task_day"):
                vacuum.execute(f"VACUUM ANALYZE {table}")
        leader = db.session.scalar(select(User.id).where(User.username == "demo.leader"))
        db.session.remove()
    return year, leader


def _timed(client, path: str, runs: int) -> tuple[list[float], list[float], int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    from app.extensions import db

    wall, cpu, statements = [], [], []
    with client.application.app_context():
        engine = db.engine

    def count(*_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            started, used = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return wall, cpu, len(statements) // runs


def explain(client, path: str) -> None:  # type: ignore[no-untyped-def]
    """One request of `path`: its 5 slowest statements, their ms and the database's plan."""
    from app.extensions import db

    with client.application.app_context():
        counter = StatementCounter(db.engine)
        counter.take()
        assert client.get(path).status_code == 200, path
        count, timed = counter.count, sorted(counter.timed, key=lambda t: -t[0])
        print(f"    {path}: {count} statements, the 5 slowest of {sum(t[0] for t in timed):.1f} ms in all")
        for ms, statement, params in timed[:5]:
            print(f"    -- {ms:7.2f} ms  " + " ".join(statement.split())[:300])
            print("        " + counter.explain(statement, params).replace("\n", "\n        "))
        counter.close()
        db.session.remove()


def bench(app, year: int, leader: int) -> None:  # type: ignore[no-untyped-def]
    from app.auth.models import User
    from app.extensions import db
    from tests.conftest import sign_in

    with app.app_context():
        client = sign_in(app.test_client(), db.session.get(User, leader))
        supervision = sign_in(app.test_client(), User.query.filter_by(username="demo.supervision").one())
        db.session.remove()
    for label, who, path, runs in (
            (f"dashboard, year {year}", client, f"/statistics/?year={year}", 20),
            (f"dashboard, year {year - 1}", client, f"/statistics/?year={year - 1}", 20),
            ("dashboard, one county", client, f"/statistics/?year={year}&bureau=1", 10),
            (f"board {year}, page 1", supervision, f"/statistics/board?year={year}", 30),
            (f"board {year}, page 200", supervision, f"/statistics/board?year={year}&page=200", 30),
            (f"board {year}, problems", supervision, f"/statistics/board?year={year}&outcome=problems&page=3", 30),
            (f"board {year}, overdue", supervision, f"/statistics/board?year={year}&overdue=1", 30),
            (f"board {year}, search", supervision, f"/statistics/board?year={year}&q=基准单位77", 30)):
        _timed(who, path, 2)
        if "--explain" in sys.argv and path.startswith("/statistics/?"):
            explain(who, path)
        wall, cpu, statements = _timed(who, path, runs)
        ordered = sorted(cpu)
        print(f"  {label:<26} {summary(wall)}  CPU p95 {ordered[int(round(0.95 * (len(ordered) - 1)))]:7.2f} ms"
              f"  {statements} statements")


def main() -> None:
    kind = "sqlite" if "--sqlite" in sys.argv else "postgresql"
    if kind == "postgresql" and not pg_available():
        print("PostgreSQL does not answer at 127.0.0.1:5432; --sqlite runs on SQLite")
        return
    if kind == "sqlite":
        print("the bulk load uses PostgreSQL COPY: run without --sqlite")
        return
    with database(kind) as url:
        print(f"statistics benchmark on {kind} (shared machine: wall times vary with its load; CPU = this process)")
        app = make_app(url)
        year, leader = load(app)
        from app import heap

        heap.settle()  # as each gunicorn worker does after start-up (gunicorn.conf.py, app/heap.py)
        bench(app, year, leader)


if __name__ == "__main__":
    main()
