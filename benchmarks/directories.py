"""Directory benchmarks (prints figures; targets in the directories issue):

(a) a filtered list page with 100,000 inspection objects in the database (full request, p95 ≤ 100 ms);
(b) importing 10,000 rows from .xlsx: read, preview and commit (≤ 10 s).

Run: .venv/bin/python benchmarks/directories.py   (PostgreSQL part runs when 127.0.0.1:5432 answers)
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

TYPES = ("agency", "organisation", "institution", "enterprise")
DISTRICTS = ("金安区", "裕安区", "叶集区", "霍邱县", "舒城县", "金寨县", "霍山县")


def _code(n: int) -> str:
    from app.directories.services.credit_code import check_character

    body = f"12888888{n:09d}"[:17]
    return body + check_character(body)


def bench_list(kind: str, url: str) -> None:
    from sqlalchemy import insert, text

    from app.auth.services import find_user
    from app.clock import utcnow
    from app.directories.models import InspectionObject
    from app.extensions import db
    from tests.conftest import sign_in

    app = make_app(url)
    with app.app_context():
        now = utcnow()
        rows = [{"name": f"基准单位{n}", "credit_code": _code(n), "unit_type": TYPES[n % 4],
                 "district": DISTRICTS[n % 7], "address": "", "contact_person": "", "contact_phone": "",
                 "archives_staff": "", "active": n % 50 != 0, "created_at": now, "updated_at": now, "bureau_id": 1}
                for n in range(100_000)]
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(InspectionObject), rows[start:start + 10_000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE inspection_object"))
            db.session.commit()
        user = find_user("demo.supervision")
        client = sign_in(app.test_client(), user)
        db.session.remove()
    queries = {
        "type + district": "/directories/objects/?unit_type=enterprise&district=霍山县",
        "search text": "/directories/objects/?q=基准单位9999",
        "sorted page 40": "/directories/objects/?sort=name&dir=desc&page=40",
    }
    for label, path in queries.items():
        samples = []
        for i in range(45):
            t0 = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, response.status_code
            if i >= 5:
                samples.append(elapsed)
        print(f"(a) {kind:<10} list page, 100,000 objects, {label:<15}: {summary(samples)}   [target ≤ 100 ms p95]")


def bench_import(kind: str, url: str) -> None:
    import io

    from openpyxl import Workbook

    from app.auth.services import find_user
    from app.directories.services import importing
    from app.directories.services.reader import read_table
    from app.directories.services.specs import OBJECTS
    from app.extensions import db

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in OBJECTS.columns])
    for n in range(10_000):
        sheet.append([f"导入单位{n}", _code(500_000 + n), "事业单位", DISTRICTS[n % 7], f"路{n}号", "张三",
                      "0564-1234567", "李四"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    app = make_app(url)
    with app.app_context():
        user = find_user("demo.supervision")
        t0 = time.perf_counter()
        table = read_table("bench.xlsx", data)
        t1 = time.perf_counter()
        preview = importing.preview(OBJECTS, table)
        t2 = time.perf_counter()
        importing.commit(user, OBJECTS, table, only_valid_rows=False, file_sha256="bench", filename="bench.xlsx")
        db.session.commit()
        t3 = time.perf_counter()
        again = importing.commit(user, OBJECTS, read_table("bench.xlsx", data), only_valid_rows=False,
                                 file_sha256="bench", filename="bench.xlsx")
        db.session.commit()
        t4 = time.perf_counter()
        print(f"(b) {kind:<10} import 10,000 rows (.xlsx {len(data) // 1024} KB): read {t1 - t0:.2f} s, "
              f"preview {t2 - t1:.2f} s, preview+commit {t3 - t1:.2f} s, total {t3 - t0:.2f} s "
              f"[target ≤ 10 s]; created {preview.count('create')}; re-import {t4 - t3:.2f} s, "
              f"{again.count('unchanged')} unchanged")


def main() -> None:
    kinds = ["sqlite"] + (["postgresql"] if pg_available() else [])
    for kind in kinds:
        with database(kind) as url:
            bench_list(kind, url)
        with database(kind) as url:
            bench_import(kind, url)


if __name__ == "__main__":
    main()
