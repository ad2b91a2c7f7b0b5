"""`flask audit verify`: recompute the hash chain; non-zero exit naming the first broken event."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.audit.services import verify_chain


@click.group("audit")
def audit_cli() -> None:
    """The audit log."""


@audit_cli.command("verify")
@with_appcontext
def verify() -> None:
    """Check every event's hash and link to its predecessor."""
    report = verify_chain()
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events checked")
        return
    click.echo(f"audit chain BROKEN at event {report.broken_event_id}: {report.reason} "
               f"({report.checked} events before it are intact)", err=True)
    sys.exit(1)
