"""Engine benchmarks (prints figures; targets in the engine issue):

(a) one case of 10 user tasks, start to end: raw SpiffWorkflow in memory vs the full service path
    (load → validate → run → save → index → audit → commit), same diagram, same run, SQLite and PostgreSQL;
(b) the inbox query of one user with 100,000 open tasks in the database (p95);
(c) completing step 1 versus step 100 of a looping case — drawn as a gateway loop (the engine nests the task
    tree: cost grows with every pass) and as a BPMN standard loop (one task per pass).

Run: .venv/bin/python benchmarks/engine.py   (PostgreSQL parts run when 127.0.0.1:5432 answers)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and benchmarks/http.py would hide the standard
# `http` package (werkzeug imports http.server).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._setup import database, make_app, pg_available, summary  # noqa: E402

TASKS = 10
LANE = "legal"


def linear_process(folder: Path) -> None:
    """A diagram with 10 user tasks in a row, each with a small form, plus its forms."""
    nodes, flows = [], []
    previous = "start"
    for i in range(1, TASKS + 1):
        nodes.append(f'''<bpmn:userTask id="t{i}" name="第{i}步"><bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="form" value="bench_step" /></spiffworkflow:properties></bpmn:extensionElements>
          </bpmn:userTask>''')
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="t{i}" />')
        previous = f"t{i}"
    flows.append(f'<bpmn:sequenceFlow id="f_end" sourceRef="{previous}" targetRef="end" />')
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in
                   ["start", *[f"t{i}" for i in range(1, TASKS + 1)], "end"])
    xml = f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
 <bpmn:process id="bench_linear" name="基准：十步" isExecutable="true">
  <bpmn:laneSet id="LS"><bpmn:lane id="L" name="{LANE}">{refs}</bpmn:lane></bpmn:laneSet>
  <bpmn:startEvent id="start" />{"".join(nodes)}<bpmn:endEvent id="end" />{"".join(flows)}
 </bpmn:process></bpmn:definitions>'''
    (folder / "linear.bpmn").write_text(xml, encoding="utf-8")
    forms = folder / "forms"
    forms.mkdir()
    (forms / "bench_step.json").write_text('{"title": "步骤", "type": "object", "properties": {'
                                           '"note": {"type": "string", "title": "意见", "maxLength": 200},'
                                           '"ok": {"type": "boolean", "title": "通过"}}, "required": ["ok"]}',
                                           encoding="utf-8")


def raw_spiff_case(folder: Path) -> float:
    """ms for one whole case in memory with the plain library (its default engine)."""
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(folder / "linear.bpmn"))
    spec = parser.get_spec("bench_linear")
    started = time.perf_counter()
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    while not workflow.is_completed():
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update({"ok": True, "note": "同意"})
        task.run()
        workflow.do_engine_steps()
    return (time.perf_counter() - started) * 1000


def service_case(app, folder: Path) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    """ms for one whole case through the service path, and ms per task completion (each its own commit)."""
    from sqlalchemy import select

    from app.auth.services import find_user
    from app.extensions import db
    from app.workflow.models import Task
    from app.workflow.services import cases, definitions

    with app.app_context():
        definitions.load_folder(None, folder, folder / "forms")
        db.session.commit()
        legal = find_user("demo.legal")
        legal_id = legal.id
        per_task = []
        started = time.perf_counter()
        case = cases.start_case(legal, "bench_linear", "bench")
        db.session.commit()
        case_id = case.id
        db.session.remove()
        for _ in range(TASKS):
            t0 = time.perf_counter()
            from app.auth.models import User

            user = db.session.get(User, legal_id)
            task_id = db.session.scalar(select(Task.id).where(Task.case_id == case_id, Task.state == "ready"))
            cases.complete_task(user, task_id, {"ok": True, "note": "同意"})
            db.session.commit()
            db.session.remove()
            per_task.append((time.perf_counter() - t0) * 1000)
        return (time.perf_counter() - started) * 1000, per_task


def bench_a(kind: str, url: str, folder: Path) -> None:
    app = make_app(url)
    raw = [raw_spiff_case(folder) for _ in range(5)]
    service_total, per_task = [], []
    for _ in range(5):
        total, tasks = service_case(app, folder)
        service_total.append(total)
        per_task.extend(tasks)
    import statistics

    ratio = statistics.median(service_total) / statistics.median(raw)
    print(f"(a) {kind:<10} raw SpiffWorkflow, whole case : {summary(raw)}")
    print(f"(a) {kind:<10} service path, whole case     : {summary(service_total)}")
    print(f"(a) {kind:<10} service path, one completion : {summary(per_task)}   [target ≤ 15 ms median on PostgreSQL]")
    print(f"(a) {kind:<10} ratio service/raw (medians)  : {ratio:.1f}x")


def bench_b(kind: str, url: str) -> None:
    from sqlalchemy import insert, text

    from app.auth.roles import Role
    from app.auth.services import find_user
    from app.clock import utcnow
    from app.extensions import db
    from app.workflow.models import Task
    from app.workflow.services import cases, inbox

    app = make_app(url)
    with app.app_context():
        case = cases.start_case(find_user("demo.legal"), "case_filing", "inbox bench")
        db.session.commit()
        roles = [r.value for r in Role]
        now = utcnow()
        batch = []
        for i in range(100_000):
            batch.append({"case_id": case.id, "spiff_task_id": f"bench-{i}", "element_id": "prepare",
                          "name": "填写立案审批表", "lane": "法制科", "role": roles[i % len(roles)], "form_key": None,
                          "restricted": False, "state": "ready", "created_at": now, "due_at": now,
                          "bureau_id": 1})
            if len(batch) == 10_000:
                db.session.execute(insert(Task), batch)
                batch = []
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE task"))
            db.session.commit()
        user = find_user("demo.legal")
        samples = []
        for _ in range(60):
            t0 = time.perf_counter()
            tasks, total = inbox.my_tasks(user, page=1, per_page=50)
            samples.append((time.perf_counter() - t0) * 1000)
        print(f"(b) {kind:<10} inbox, 100,000 open tasks ({total} for this user): {summary(samples[10:])}"
              "   [target ≤ 50 ms p95]")
        db.session.remove()


def bench_c(kind: str, url: str, folder: str = "loop", process_id: str = "test_loop", label: str = "gateway loop"
            ) -> None:
    from sqlalchemy import select

    from app.auth.models import User
    from app.auth.services import find_user
    from app.extensions import db
    from app.workflow.models import Task
    from app.workflow.services import cases, definitions

    root = Path(__file__).resolve().parents[1] / "tests" / "data" / folder
    app = make_app(url)
    with app.app_context():
        definitions.load_folder(None, root, root / "forms")
        legal_id = find_user("demo.legal").id
        case = cases.start_case(find_user("demo.legal"), process_id, "loop bench", {"passes": 0, "spin_forever": False})
        db.session.commit()
        case_id = case.id
        timings = []
        for _ in range(100):
            t0 = time.perf_counter()
            task_id = db.session.scalar(select(Task.id).where(Task.case_id == case_id, Task.state == "ready"))
            cases.complete_task(db.session.get(User, legal_id), task_id, {"finish": False})
            db.session.commit()
            db.session.remove()
            timings.append((time.perf_counter() - t0) * 1000)
        first, hundredth = sum(timings[:5]) / 5, sum(timings[-5:]) / 5
        print(f"(c) {kind:<10} {label}: steps 1–5 {first:6.2f} ms, steps 96–100 {hundredth:6.2f} ms, "
              f"ratio {hundredth / first:.2f}x   [target ≤ 2x]")


def main() -> None:
    kinds = ["sqlite"] + (["postgresql"] if pg_available() else [])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        linear_process(folder)
        for kind in kinds:
            with database(kind) as url:
                bench_a(kind, url, folder)
            with database(kind) as url:
                bench_b(kind, url)
            with database(kind) as url:
                bench_c(kind, url)
            with database(kind) as url:
                bench_c(kind, url, "standard_loop", "test_standard_loop", "standard loop")


if __name__ == "__main__":
    main()
