"""`flask worker`: the background process that fires due timers and beats its heartbeat.

Several workers may run at once: each claims one due case at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on
SQLite the database's single writer serialises them and a worker that loses a race leaves the case to the next poll).
SIGTERM and SIGINT let the current job finish, then the worker removes its heartbeat row and exits.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from app import heap
from app.extensions import db
from app.operations import backup, services

log = logging.getLogger("archives.worker")


class _Stop:
    """Set by SIGTERM/SIGINT: finish the current job, then leave."""

    requested = False

    @classmethod
    def handle(cls, signum: int, _frame: Any) -> None:
        cls.requested = True
        log.info("signal %s received: stopping after the current job", signum)


def run_jobs(once: bool = False) -> int:
    """One poll: fire due timers, produce notifications and send the outbox, the daily audit checkpoint, the
    hourly clean-up of stale uploads and previews, and the push of the disclosure outbox; returns cases fired."""
    from app.bureaus.context import SYSTEM, use
    from app.disclosure.services.publishing import take_down_due
    from app.notifications.cli import run_notifications
    from app.outbox.cli import run_outbox
    from app.workflow.cli import anchor_audit_daily, clean_up, escalate_supervision_reports, run_due_timers

    handled = run_due_timers()  # claims across bureaus, fires each case in its own bureau
    escalated = escalate_supervision_reports()  # each overdue report in its own bureau
    if escalated:
        log.info("escalated %s overdue supervision report(s)", escalated)
    taken_down = take_down_due()  # disclosure items whose keeping period ended, each in its own bureau
    if taken_down:
        log.info("took down %s expired disclosure item(s)", taken_down)
    with use(SYSTEM):  # installation-wide jobs: the audit checkpoint, clean-up, notifications of every bureau
        anchor_audit_daily()
        clean_up(force=once)
        try:
            run_notifications()
        except Exception:  # a broken notification must never stop the timers
            db.session.rollback()
            log.exception("notification job failed")
    try:
        # the push to the disclosure platform (SYSTEM scope), bounded so the timers are never kept waiting
        run_outbox(f"outbox:{services.worker_name()}", max_seconds=20)
    except Exception:  # a broken push must never stop the timers; its events stay pending
        db.session.rollback()
        log.exception("outbox delivery failed")
    return handled


@click.command("worker")
@click.option("--once", is_flag=True, help="run what is due now and exit")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600),
              help="seconds between polls")
@with_appcontext
def worker(once: bool, interval: int) -> None:
    """Fire due timer events and keep a heartbeat for /healthz (safe to run several at once)."""
    name = services.worker_name()
    _Stop.requested = False
    signal.signal(signal.SIGTERM, _Stop.handle)
    signal.signal(signal.SIGINT, _Stop.handle)
    log.info("worker %s started, polling every %s s", name, interval)
    rounds = 0
    while not _Stop.requested:
        handled = run_jobs(once)
        rounds += 1
        if rounds == 1 and not once:
            heap.settle()  # after the first round loaded what the worker needs (see app/heap.py)
        services.beat(name, interval, handled)
        db.session.commit()
        if handled:
            log.info("fired timers of %s case(s)", handled, extra={"cases": handled})
        if once:
            break
        deadline = time.monotonic() + interval
        while not _Stop.requested and time.monotonic() < deadline:
            time.sleep(min(0.5, interval))
    if not once:
        services.stop(name)
        db.session.commit()
    log.info("worker %s stopped", name)


@click.group("backup")
def backup_cli() -> None:
    """Backups: create, restore into an empty installation, check file and document hashes."""


@backup_cli.command("create")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="folder for the archive (default: <instance>/backups)")
@with_appcontext
def backup_create(output: Path | None) -> None:
    """Dump the database and copy the files into one archive with a manifest of SHA-256 hashes."""
    config = current_app.config
    output = output or Path(current_app.instance_path) / "backups"
    db.session.remove()
    try:
        path = backup.create_backup(config["SQLALCHEMY_DATABASE_URI"], Path(config["FILES_DIR"]), output)
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = backup.read_manifest(path)
    click.echo(f"backup written: {path}")
    click.echo(f"  {len(manifest.members)} member(s), schema {manifest.revision}, "
               + ", ".join(f"{k} {v}" for k, v in manifest.counts.items()))


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def backup_restore(archive: Path) -> None:
    """Restore an archive into this (empty) installation, then check every document and file hash."""
    config = current_app.config
    db.session.remove()
    db.engine.dispose()
    try:
        manifest = backup.restore_backup(archive, config["SQLALCHEMY_DATABASE_URI"], Path(config["FILES_DIR"]))
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored backup of {manifest.created_at} (schema {manifest.revision}, "
               f"{len(manifest.members)} member(s))")
    problems = services.integrity_problems(Path(config["FILES_DIR"]))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("documents and files: every SHA-256 matches; now run `flask audit verify` and `flask draw verify ID`")


@backup_cli.command("check")
@with_appcontext
def backup_check() -> None:
    """Recompute the SHA-256 of every document and attachment; exit 1 naming each mismatch."""
    problems = services.integrity_problems(Path(current_app.config["FILES_DIR"]))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("documents and files: every SHA-256 matches")
