"""Case-view benchmarks (prints figures; targets in the case-view issue):

(a) the case page of a case with 200 events (full request, p95 ≤ 150 ms; the per-element details fragment is
    cached by the hash of the case's last event, so the first view is reported separately);
(b) a step of the step-through on that case (full request, p95 ≤ 150 ms);
(c) the case list with 100,000 cases (filtered, searched, sorted pages; full request, p95 ≤ 100 ms);
(d) the case file (PDF + ZIP, LibreOffice conversion) of a case with 20 documents (≤ 10 s).

The cases are real: random inspections driven through rectification rounds by the case service.
Run: .venv/bin/python benchmarks/case_view.py [--postgres] [--only=pages,file,list] [--explain]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and benchmarks/http.py would hide the standard
# `http` package (werkzeug imports http.server).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._setup import (  # noqa: E402
    StatementCounter,
    database,
    make_app,
    percentile,
    pg_available,
    summary,
)


def _inspection(rounds: int) -> int:
    """An inspection case with `rounds` rectification rounds, through the real procedure; returns its id."""
    from sqlalchemy import select

    from app.auth.roles import Role
    from app.clock import local_today
    from app.demo.history import DEMO_INSPECTION_SUBJECT
    from app.extensions import db
    from app.workflow.models import Case, Task
    from app.workflow.services import cases
    from tests.conftest import user_for
    from tests.inspection.helpers import ONSITE

    template = db.session.scalar(select(Case).where(Case.subject == DEMO_INSPECTION_SUBJECT))
    start = cases.case_data(template)
    case = cases.start_case(user_for(Role.SUPERVISION), "random_inspection", f"基准检查（{rounds} 轮整改）",
                            {k: start[k] for k in ("object_id", "object_code", "object_name", "planned_date",
                                                   "officers", "experts", "team_user_ids", "inspection_items")})

    def do(element: str, role: Role, data: dict) -> None:
        task = db.session.scalar(select(Task).where(Task.case_id == case.id, Task.state == "ready",
                                                    Task.element_id == element))
        cases.complete_task(user_for(role), task.id, data)

    day = (local_today() + timedelta(days=1)).isoformat()  # a plan is dated from today on
    do("plan", Role.INSPECTOR, {"key_areas": ["storage"], "notice_date": day})
    do("onsite", Role.INSPECTOR, {**ONSITE, "checked_on": day, "recorder": str(start["officers"][0]["code"])})
    do("officer_eval", Role.INSPECTOR, {"officer_opinion": "有问题"})
    do("expert_eval", Role.EXPERT, {"expert_opinion": "同意"})
    do("feedback", Role.INSPECTOR, {"outcome": "problems", "feedback_given": True, "feedback_summary": "整改"})
    do("order_rect", Role.INSPECTOR, {"problems": [{"problem": "记录不全", "days": 10}],
                                      "rect_basis": "《中华人民共和国档案法》第二十三条"})
    for n in range(1, rounds + 1):
        do("record_report", Role.SUPERVISION, {"report_summary": f"第 {n} 轮整改报告"})
        last = n == rounds
        do("recheck", Role.INSPECTOR, {"accepted": last, "recheck_notes": "复查", **({} if last else {"new_days": 5})})
    db.session.commit()
    return case.id


CPU: list[float] = []  # CPU time of the same requests: the shared 2-core machine often runs at load > 10
SQL: list[int] = []  # SQL statements per request (load-independent)
COUNTER: list = []  # the StatementCounter of the app's engine


def _timed(client, path: str, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    CPU.clear()
    SQL.clear()
    for _ in range(runs):
        COUNTER[0].take()
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
        SQL.append(COUNTER[0].take())
        assert response.status_code == 200, (path, response.status_code)
    return samples


def _cpu() -> str:
    return (f"[cpu p50 {percentile(CPU, 0.5):6.1f} p95 {percentile(CPU, 0.95):6.1f} ms; "
            f"SQL {min(SQL)}–{max(SQL)}]")


def bench_case_pages(app) -> None:  # type: ignore[no-untyped-def]
    from app import heap
    from app.auth.services import find_user
    from app.extensions import db
    from app.workflow.services import history
    from tests.conftest import sign_in

    with app.app_context():
        started = time.perf_counter()
        case_id = _inspection(64)
        events = len(history.case_events(case_id))
        build = time.perf_counter() - started
        client = sign_in(app.test_client(), find_user("demo.auditor"))
        db.session.remove()
    heap.settle()  # as each gunicorn worker does after start-up (gunicorn.conf.py, app/heap.py)
    print(f"  case with {events} events (built through the case service in {build:.1f} s)")
    cold = _timed(client, f"/cases/{case_id}", 1)[0]
    print(f"  (a) case page, first view (its per-element details rendered and cached): {cold:.0f} ms "
          f"[cpu {CPU[0]:.0f} ms; SQL {SQL[0]}]")
    print(f"  (a) case page                      {summary(_timed(client, f'/cases/{case_id}', 30))} {_cpu()}")
    steps = [random.Random(7).randint(1, events) for _ in range(30)]
    samples, cpu, sql = [], [], []
    for index in steps:
        samples += _timed(client, f"/cases/{case_id}/steps/{index}", 1)
        cpu += CPU
        sql += SQL
    CPU[:], SQL[:] = cpu, sql
    print(f"  (b) step-through page, 30 different steps, first views {summary(samples)} {_cpu()}")
    samples, cpu, sql = [], [], []
    for index in steps:
        samples += _timed(client, f"/cases/{case_id}/steps/{index}", 1)
        cpu += CPU
        sql += SQL
    CPU[:], SQL[:] = cpu, sql
    print(f"  (b) step-through page, the same steps again           {summary(samples)} {_cpu()}")


def bench_case_list(app) -> None:  # type: ignore[no-untyped-def]

    from sqlalchemy import insert, select, text

    from app.auth.services import find_user
    from app.clock import utcnow
    from app.extensions import db
    from app.workflow.models import Case, ProcessDefinition, Task
    from tests.conftest import sign_in

    with app.app_context():
        definitions = list(db.session.scalars(select(ProcessDefinition.id)))
        now = utcnow()
        person = find_user("demo.inspector").id
        rows = [{"definition_id": definitions[n % len(definitions)], "subject": f"基准案件{n}",
                 "party": f"基准单位{n % 5000}（演示）", "status": ("running", "completed", "completed")[n % 3],
                 "state": "", "serializer_version": "1", "lock_version": 1,
                 "created_at": now - timedelta(minutes=n), "updated_at": now, "bureau_id": 1} for n in range(100_000)]
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(Case), rows[start:start + 10_000])
        first = db.session.scalar(select(Case.id).where(Case.subject == "基准案件0"))
        tasks = [{"case_id": first + n, "spiff_task_id": f"bench-{n}", "element_id": "recheck", "name": "整改复查",
                  "lane": "执法检查人员", "role": "inspector", "state": "ready" if n % 3 == 0 else "completed",
                  "restricted": False, "created_at": now, "due_at": now + timedelta(days=(n % 40) - 20),
                  "completed_by_id": person if n % 3 else None, "bureau_id": 1} for n in range(0, 100_000, 2)]
        for start in range(0, len(tasks), 10_000):
            db.session.execute(insert(Task), tasks[start:start + 10_000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # autovacuum would, a little later
            db.session.execute(text("ANALYZE workflow_case"))
            db.session.execute(text("ANALYZE task"))
            db.session.commit()
        else:  # the worker's hourly job does this on SQLite
            from app.operations.services import refresh_planner_statistics

            refresh_planner_statistics()
        client = sign_in(app.test_client(), find_user("demo.auditor"))
        db.session.remove()
    queries = {
        "first page": "/cases",
        "process + status": "/cases?process=random_inspection&status=running",
        "party search": "/cases?q=基准单位4321",
        "overdue": "/cases?overdue=1",
        "person involved": f"/cases?person={person}",
        "sorted page 40": "/cases?sort=subject&dir=asc&page=40",
        "dates": f"/cases?start={(now - timedelta(days=10)).date()}&end={(now - timedelta(days=5)).date()}",
    }
    for label, path in queries.items():
        _timed(client, path, 2)
        print(f"  (c) case list, {label:<18} {summary(_timed(client, path, 20))} {_cpu()}")
        if "--explain" in sys.argv:
            COUNTER[0].take()
            client.get(path)
            ms, statement, params = COUNTER[0].slowest()
            plan = COUNTER[0].explain(statement, params).replace("\n", "\n        ")
            print(f"      slowest statement {ms:.1f} ms: {' '.join(statement.split())[:300]}\n        {plan}")


def bench_case_file(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from app.auth.services import find_user
    from app.casefile.services.contents import plan
    from app.casefile.services.jobs import request_case_file, run_job
    from app.demo.history import DEMO_INSPECTION_SUBJECT
    from app.extensions import db
    from app.workflow.models import Case
    from app.workflow.services import cases

    def timed_build(case, folder: Path, label: str, documents: int) -> None:  # type: ignore[no-untyped-def]
        record = request_case_file(find_user("demo.auditor"), case)
        db.session.commit()
        started, before = time.perf_counter(), os.times()
        COUNTER[0].take()
        done = run_job(record.id, folder, folder / "attachments")
        seconds, after = time.perf_counter() - started, os.times()
        statements = COUNTER[0].take()
        own = (after.user + after.system) - (before.user + before.system)
        children = (after.children_user + after.children_system) - (before.children_user + before.children_system)
        print(f"  (d) case file of {documents} documents, {label}: {seconds:.1f} s wall ({done.status}, {done.pages} "
              f"pages); CPU {own:.1f} s in this process + {children:.1f} s in LibreOffice child processes; "
              f"SQL {statements}")

    with app.app_context():
        case_id = _inspection(17)
        case = cases.get_case(case_id)
        documents = len(plan(case).documents)
        with tempfile.TemporaryDirectory() as folder:
            demo = db.session.scalar(select(Case).where(Case.subject == DEMO_INSPECTION_SUBJECT))
            record = request_case_file(find_user("demo.auditor"), demo)  # warm LibreOffice's profiles on another
            db.session.commit()                                           # case (its documents are not these)
            run_job(record.id, Path(folder), Path(folder) / "attachments")
            timed_build(case, Path(folder), "first build (every document converted)", documents)
            timed_build(case, Path(folder), "built again (documents' PDFs reused by SHA-256)", documents)


def main() -> None:
    kinds = ["sqlite"] + (["postgresql"] if "--postgres" in sys.argv and pg_available() else [])
    for kind in kinds:
        print(f"{kind}:")
        with database(kind) as url:
            app = make_app(url)
            with app.app_context():
                from app.extensions import db

                COUNTER[:] = [StatementCounter(db.engine)]
            parts = {"pages": bench_case_pages, "file": bench_case_file, "list": bench_case_list}
            chosen = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")]
            for name, run in parts.items():
                if not chosen or name in chosen[0].split(","):
                    run(app)


if __name__ == "__main__":
    main()
