"""Shared set-up for benchmarks: a fresh SQLite file or PostgreSQL scratch database with the schema and demo users."""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pg_available() -> bool:
    """Whether the PostgreSQL server answers."""
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A throw-away database URL of the given kind ('sqlite' or 'postgresql')."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    parts = urlsplit(PG_URL)
    name = f"archives_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str):  # type: ignore[no-untyped-def]
    """The app on that database, migrated, with the demo users."""
    from flask_migrate import upgrade

    from app import create_app
    from app.bureaus import context
    from app.demo.services import seed_demo
    from app.extensions import db

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40,
                      "LOG_LEVEL": "WARNING"})  # no access log line per request in the figures
    context.set_scope(context.for_bureau(1))  # a benchmark is a job of the first bureau, like a CLI command
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    return app


def summary(samples_ms: list[float]) -> str:
    """median / p95 / max in milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    median = statistics.median(ordered)
    return f"median {median:7.2f} ms  p95 {p95:7.2f} ms  max {ordered[-1]:7.2f} ms  (n={len(ordered)})"


class StatementCounter:
    """Counts the SQL statements an engine runs (transaction control not counted), to print per request, and
    keeps each one's text, parameters and time so the slowest can be EXPLAINed.

    Statement counts do not depend on the machine's load, unlike wall time: they are the evidence to compare.
    """

    SKIP = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        from sqlalchemy import event

        self.engine = engine
        self.count = 0
        self.statements: list[str] = []
        self.timed: list[tuple[float, str, Any]] = []
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._seen)
        event.listen(engine, "after_cursor_execute", self._done)

    def _seen(self, _conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        self._started = time.perf_counter()
        if not statement.lstrip().upper().startswith(self.SKIP):
            self.count += 1
            self.statements.append(statement)

    def _done(self, _conn, _cursor, statement, params, _context, many) -> None:  # type: ignore[no-untyped-def]
        if not many and not statement.lstrip().upper().startswith(self.SKIP + ("EXPLAIN",)):
            self.timed.append(((time.perf_counter() - self._started) * 1000, statement, params))

    def close(self) -> None:
        """Stop listening to the engine."""
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._seen)
        event.remove(self.engine, "after_cursor_execute", self._done)

    def take(self) -> int:
        """Statements since the last call."""
        count, self.count = self.count, 0
        self.statements, self.timed = [], []
        return count

    def slowest(self) -> tuple[float, str, Any]:
        """(ms, statement, parameters) of the slowest statement since the last `take`."""
        return max(self.timed, key=lambda t: t[0])

    def explain(self, statement: str, params: Any) -> str:
        """The database's plan for a statement (PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN QUERY PLAN)."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            prefix = "EXPLAIN ANALYZE " if self.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + statement, params)
            rows = cursor.fetchall()
        finally:
            raw.close()
        if self.engine.dialect.name == "postgresql":
            return "\n".join(r[0] for r in rows)
        return "\n".join(str(r[-1]) for r in rows)


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 → p95)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
