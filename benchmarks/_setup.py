"""Shared set-up for benchmarks: a fresh SQLite file or PostgreSQL scratch database with the schema and demo users."""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40})
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
