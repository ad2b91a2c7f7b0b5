"""Bureau benchmarks (prints figures; targets in issue 15):

(a) list pages (objects, cases) and the inbox with 100,000 objects, 100,000 cases and 100,000 tasks in ONE bureau,
    then the same volumes spread over 200 bureaus: every p95 within 20 % of the single-bureau figure;
(b) the city's roll-up over 20 counties (GET /oversight/ as the city leader), p95 ≤ 300 ms.

Run: .venv/bin/python benchmarks/bureaus.py   (PostgreSQL part runs when 127.0.0.1:5432 answers)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and benchmarks/http.py would hide the standard
# `http` package (werkzeug imports http.server).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._setup import database, make_app, pg_available, summary  # noqa: E402

N = 100_000
PAGES = {"objects list": "/directories/objects/", "cases list": "/cases", "inbox": "/tasks"}


def _fill(app, bureau_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    """N objects, N cases and N open legal tasks, spread round-robin over these bureaus (Core inserts)."""
    from sqlalchemy import insert, select, text

    from app.bureaus import context
    from app.clock import utcnow
    from app.directories.models import InspectionObject
    from app.extensions import db
    from app.workflow.models import Case, ProcessDefinition, Task

    with app.app_context(), context.use(context.SYSTEM):
        now = utcnow()
        definition_id = db.session.scalar(select(ProcessDefinition.id).where(
            ProcessDefinition.process_id == "case_filing"))
        first_case = (db.session.scalar(select(db.func.max(Case.id))) or 0) + 1
        for start in range(0, N, 10_000):
            span = range(start, start + 10_000)
            db.session.execute(insert(InspectionObject), [
                {"name": f"基准单位{n}", "credit_code": f"12888888{n:010d}", "unit_type": "agency", "district": "",
                 "address": "", "contact_person": "", "contact_phone": "", "archives_staff": "", "active": True,
                 "created_at": now, "updated_at": now, "bureau_id": bureau_ids[n % len(bureau_ids)]} for n in span])
            db.session.execute(insert(Case), [
                {"definition_id": definition_id, "subject": f"基准案件{n}", "status": "running", "state": "",
                 "serializer_version": "1.4", "lock_version": 1, "created_at": now, "updated_at": now,
                 "bureau_id": bureau_ids[n % len(bureau_ids)]} for n in span])
            db.session.execute(insert(Task), [
                {"case_id": first_case + n, "spiff_task_id": f"bench-{n}", "element_id": "prepare",
                 "name": "填写立案审批表", "lane": "法制科", "role": "legal", "form_key": None, "restricted": False,
                 "state": "ready", "created_at": now, "due_at": now, "bureau_id": bureau_ids[n % len(bureau_ids)]}
                for n in span])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            for table in ("inspection_object", "workflow_case", "task"):
                db.session.execute(text(f"ANALYZE {table}"))
            db.session.commit()


def _time(client, path: str, rounds: int = 40) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for i in range(rounds + 5):
        t0 = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (path, response.status_code)
        if i >= 5:
            samples.append(elapsed)
    return samples


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _client(app, username: str):  # type: ignore[no-untyped-def]
    from app.auth.services import find_user
    from app.bureaus import context
    from app.extensions import db
    from tests.conftest import sign_in

    with app.app_context(), context.use(context.SYSTEM):
        client = sign_in(app.test_client(), find_user(username))
        db.session.remove()
    return client


def bench(kind: str) -> None:
    from app.bureaus import context
    from app.bureaus.services.tree import child_bureaus, create_bureau
    from app.extensions import db

    with database(kind) as url:
        app = make_app(url)
        _fill(app, [1])
        single = {label: _p95(_time(_client(app, "demo.legal"), path)) for label, path in PAGES.items()}
    with database(kind) as url:
        app = make_app(url)
        with app.app_context(), context.use(context.SYSTEM):
            counties = [b.id for b in child_bureaus(1)]
            for k in range(len(counties), 20):
                counties.append(create_bureau(None, name=f"基准县{k}档案局", short_name=f"基{k}", level="county",
                                              parent_id=1).id)
            other_city = create_bureau(None, name="基准另一市档案局", short_name="基市", level="city", parent_id=None)
            others = [create_bureau(None, name=f"基准区{k}档案局", short_name=f"区{k}", level="county",
                                    parent_id=other_city.id).id for k in range(200 - 22)]
            other_city_id = other_city.id
            db.session.commit()
        bureaus = [1, *counties, other_city_id, *others]
        assert len(bureaus) == 200, len(bureaus)
        _fill(app, bureaus)
        for label, path in PAGES.items():
            samples = _time(_client(app, "demo.jia.legal"), path)
            ratio = _p95(samples) / single[label]
            print(f"(a) {kind:<10} {label:<12} 200 bureaus (a county): {summary(samples)}  "
                  f"single bureau p95 {single[label]:7.2f} ms → ×{ratio:4.2f}   [target ≤ ×1.20]")
        samples = _time(_client(app, "demo.leader"), "/oversight/", rounds=30)
        print(f"(b) {kind:<10} city roll-up, 20 counties, 100,000 cases/objects: {summary(samples)}"
              f"   [target ≤ 300 ms p95]")


if __name__ == "__main__":
    for kind in ["sqlite"] + (["postgresql"] if pg_available() else []):
        bench(kind)
