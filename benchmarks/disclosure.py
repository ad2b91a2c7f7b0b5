"""Disclosure benchmarks (prints figures; targets in issue 13).

Portal part: the public list pages with 50,000 published items (decisions and results of three bureaus, five years),
anonymous full requests through the app: p95 ≤ 50 ms. Wall time, CPU time of this process (time.process_time)
and SQL statements per request are printed (the machine is shared: CPU time is the steadier figure).
The outbox part (≥ 200 events/s to a local receiver, 10,000 queued events drained) belongs to the outbox's worker.

Searches (hit and miss; 3+ characters, which the trigram index of migration 0023 serves, and 1–2 characters, which
the character/pair index of migration 0025 serves; a search counts at most 1,000 matches) print the plan of their
slowest statement (PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN QUERY PLAN) as evidence.

Run: .venv/bin/python -m benchmarks.disclosure [--database sqlite|postgresql] [--no-explain]
(the PostgreSQL part runs when 127.0.0.1:5432 answers)
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._setup import StatementCounter, database, make_app, pg_available, summary  # noqa: E402

ITEMS = 50_000
KINDS = (("penalty_decision", "decisions"), ("no_penalty_decision", "decisions"), ("inspection_result", "results"))


def _fill(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert, text

    from app.bureaus import context
    from app.disclosure.models import DisclosureItem
    from app.extensions import db

    start = datetime(2022, 1, 3, 2, 0)
    rows = []
    for n in range(ITEMS):
        kind, tab = KINDS[n % 3]
        published = start + timedelta(minutes=50 * n)
        label = "行政处罚决定" if tab == "decisions" else "抽查结果"
        rows.append({"public_id": f"{published.year}-b{n:010d}", "kind": kind, "tab": tab, "year": published.year,
                     "status": "published" if n % 40 else "withdrawn", "on_portal": True,
                     "title": f"{label}：基准单位{n}（示档罚〔{published.year}〕{n}号）",
                     "body": "决定书文号：……\n当事人：基准单位\n主要违法事实：擅自销毁档案 " * 3,
                     "payload": {}, "party": f"基准单位{n}", "natural_person": False,
                     "doc_number": f"示档罚〔{published.year}〕{n}号", "created_at": published,
                     "published_at": published, "version": 1, "published_sha256": "0" * 64,
                     "withdraw_reason": "", "bureau_id": 1 + n % 3})
    with app.app_context(), context.use(context.SYSTEM):
        for first in range(0, len(rows), 10_000):
            db.session.execute(insert(DisclosureItem), rows[first:first + 10_000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE disclosure_item"))
            db.session.commit()
        db.session.remove()


SEARCHES = {  # hit and miss, long (≥ 3 characters: trigrams) and short (1–2 characters: characters and pairs)
    "search hit, long": "/public/decisions?q=基准单位4999",
    "search miss, long": "/public/decisions?q=不存在的单位",
    "search hit, short": "/public/decisions?q=档罚",  # every decision: the count stops at 1,000
    "search hit, 1 char, p.3": "/public/decisions?q=罚&page=3",
    "search hit, short, rare": "/public/decisions?q=99&year=2024",  # digits: few items of the year
    "search miss, short": "/public/decisions?q=档案",
    "search miss, short Latin": "/public/decisions?q=Ab",  # has case: ILIKE
    "search miss, Latin %": "/public/decisions?q=100%25_x",
}


def bench_portal(kind: str, url: str, explain: bool = True) -> None:
    from app.extensions import db

    app = make_app(url)
    _fill(app)
    client = app.test_client()
    with app.app_context():
        counter = StatementCounter(db.engine)
    pages = {
        "decisions, page 1": "/public/decisions",
        "decisions, page 500": "/public/decisions?page=500",
        "results, year + bureau": "/public/results?year=2024&bureau=2",
        "decisions, kind filter": "/public/decisions?kind=no_penalty_decision&page=3",
        **SEARCHES,
        "one item": "/public/items/2024-b0000020000",
    }
    for label, path in pages.items():
        wall, cpu = [], []
        counter.take()
        statements = 0
        slowest: tuple[float, str, object] = (0.0, "", None)
        for i in range(45):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(path)
            t1, c1 = time.perf_counter(), time.process_time()
            assert response.status_code in (200, 404), (path, response.status_code)
            if i >= 5:
                wall.append((t1 - t0) * 1000)
                cpu.append((c1 - c0) * 1000)
            statements += len(counter.statements)
            slowest = max(slowest, counter.slowest(), key=lambda t: t[0]) if counter.timed else slowest
            counter.take()
        print(f"{kind:<10} {label:<24} wall {summary(wall)}")
        print(f"{'':<10} {'':<24} cpu  {summary(cpu)}  SQL/request {statements / 45:.1f}   [target p95 ≤ 50 ms]")
        if label in SEARCHES and explain:
            ms, statement, params = slowest
            print(f"{'':<10} slowest statement ({ms:.1f} ms), its plan:")
            for line in counter.explain(statement, params).splitlines():
                print(f"{'':<12}{line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), help="only this database")
    parser.add_argument("--no-explain", action="store_true", help="do not print the searches' plans")
    args = parser.parse_args()
    kinds = [args.database] if args.database else ["sqlite"] + (["postgresql"] if pg_available() else [])
    print(f"Portal list pages with {ITEMS:,} published items (anonymous, full request through the app)")
    for kind in kinds:
        with database(kind) as url:
            bench_portal(kind, url, explain=not args.no_explain)


if __name__ == "__main__":
    main()
