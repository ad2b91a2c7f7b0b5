"""`flask statistics backfill`: facts for cases started before the statistics existed (after upgrading)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.bureaus.context import SYSTEM, for_bureau, use
from app.bureaus.services.tree import all_bureaus
from app.extensions import db
from app.statistics.services import task_days
from app.statistics.services.backfill import backfill, transfers


@click.group("statistics")
def statistics_cli() -> None:
    """Statistics (统计分析)."""


@statistics_cli.command("backfill")
@with_appcontext
def backfill_command() -> None:
    """Rebuild, from the audit log, the facts of every case that has none (each bureau in its own transaction)."""
    with use(SYSTEM):
        bureaus = [(b.id, b.name) for b in all_bureaus()]
        started_by = transfers()  # the audit log is one chain for every bureau: read it once
    for bureau_id, name in bureaus:
        with use(for_bureau(bureau_id)):
            count = backfill(started_by)
            db.session.commit()
        click.echo(f"{name}: {count} case(s) given their statistics facts")


@statistics_cli.command("recount-days")
@with_appcontext
def recount_days_command() -> None:
    """Recount the completed tasks per day, office and person (`task_day`) from the tasks, for every bureau
    (after a bulk load with the triggers off, or to repair it)."""
    rows = task_days.rebuild()
    db.session.commit()
    click.echo(f"task_day recounted: {rows} row(s)")
