"""Worker heartbeats and the health of the installation (database reachable, a worker alive)."""

from __future__ import annotations

import hashlib
import os
import socket
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, text

from app.clock import utcnow
from app.extensions import db
from app.operations.models import WorkerHeartbeat

# A worker is alive when it beat within two of its intervals plus this grace (a slow job, a busy database).
GRACE_SECONDS = 30
# Rows of workers silent for this long are removed by the next beat of any worker.
FORGET_AFTER = timedelta(days=7)


def worker_name() -> str:
    """host:pid of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def beat(name: str, interval: int, handled: int = 0) -> WorkerHeartbeat:
    """Record that the worker `name` is alive (caller commits)."""
    now = utcnow()
    row = db.session.get(WorkerHeartbeat, name)
    if row is None:
        row = WorkerHeartbeat(worker=name, started_at=now, handled=0)
        db.session.add(row)
        db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_seen_at < now - FORGET_AFTER))
    row.last_seen_at, row.interval_seconds = now, interval
    row.handled = (row.handled or 0) + handled
    db.session.flush()
    return row


def stop(name: str) -> None:
    """Remove the worker's row when it stops cleanly (caller commits)."""
    db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker == name))


def is_alive(row: WorkerHeartbeat, now: datetime) -> bool:
    """Whether this worker beat recently enough."""
    return now - row.last_seen_at <= timedelta(seconds=2 * row.interval_seconds + GRACE_SECONDS)


def health() -> dict[str, Any]:
    """{'database': ok|error, 'worker': ok|stale|missing, 'workers': n alive, 'last_heartbeat': iso or None}."""
    report: dict[str, Any] = {"database": "ok", "worker": "missing", "workers": 0, "last_heartbeat": None}
    try:
        db.session.execute(text("SELECT 1"))
        rows = list(db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc())))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database is "database: error"
        db.session.rollback()
        report.update(database="error", worker="unknown", error=type(exc).__name__)
        return report
    now = utcnow()
    alive = [row for row in rows if is_alive(row, now)]
    if rows:
        report["last_heartbeat"] = rows[0].last_seen_at.isoformat(timespec="seconds") + "Z"
        report["worker"] = "ok" if alive else "stale"
    report["workers"] = len(alive)
    return report


def integrity_problems(files_dir: Path) -> list[str]:
    """Recompute every document's and every attachment's SHA-256; one line per mismatch or missing file."""
    from app.documents.models import Document
    from app.workflow.models import Attachment

    problems: list[str] = []
    for doc_id, number, sha, content in db.session.execute(
            select(Document.id, Document.number, Document.sha256, Document.content).order_by(Document.id)):
        if hashlib.sha256(content or b"").hexdigest() != sha:
            problems.append(f"document {doc_id} ({number}): SHA-256 differs")
    for record in db.session.scalars(select(Attachment).order_by(Attachment.id)):
        path = files_dir / "attachments" / record.storage_path
        if not path.is_file():
            problems.append(f"attachment {record.id} ({record.filename}): file missing")
            continue
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
        if digest.hexdigest() != record.sha256:
            problems.append(f"attachment {record.id} ({record.filename}): SHA-256 differs")
    return problems


def refresh_planner_statistics() -> bool:
    """SQLite only (PostgreSQL's autovacuum does this itself): refresh the query planner's statistics.

    Without them SQLite guesses that `bureau_id IN (…)` (added to every query by the bureau scoping) picks a few
    rows and sorts 100,000 cases for a list page instead of walking the date index. The analysis is complete
    (`analysis_limit=0`): a sample of 1,000 or 10,000 index entries estimated 501 or 5,001 cases per bureau where
    one bureau held 100,000, and the list page went on sorting them (54 ms instead of 0.5 ms for the page's query);
    the whole ANALYZE of that database took ~0.25 s. Returns whether it ran.
    """
    if db.session.get_bind().dialect.name != "sqlite":
        return False
    db.session.execute(text("PRAGMA analysis_limit=0"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return True
