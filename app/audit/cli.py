"""`flask audit verify | anchor | app-role`: the chain, its signed checkpoints, the app's database role."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from app.audit.services import app_role_statements, verify_anchors, verify_chain, write_anchor
from app.extensions import db


@click.group("audit")
def audit_cli() -> None:
    """The audit log."""


def _anchor_key() -> str | None:
    return current_app.config.get("AUDIT_ANCHOR_KEY")


@audit_cli.command("verify")
@with_appcontext
def verify() -> None:
    """Check every event's hash and link, then the chain against the signed checkpoints."""
    report = verify_chain()
    if not report.ok:
        click.echo(f"audit chain BROKEN at event {report.broken_event_id}: {report.reason} "
                   f"({report.checked} events before it are intact)", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {report.checked} events checked")
    key = _anchor_key()
    if not key:
        click.echo("no AUDIT_ANCHOR_KEY: checkpoints not checked (truncation and a consistent rewrite go unnoticed)",
                   err=True)
        return
    checked, problems = verify_anchors(key, current_app.config["AUDIT_ANCHOR_DIR"])
    for problem in problems:
        click.echo(f"audit checkpoint {problem.anchor} FAILED: {problem.reason}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"audit checkpoints agree: {checked} checked")


@audit_cli.command("anchor")
@with_appcontext
def anchor() -> None:
    """Write a signed checkpoint of the chain head (the worker does it daily); copy the folder off the server."""
    key = _anchor_key()
    if not key:
        click.echo("AUDIT_ANCHOR_KEY is not set: no checkpoint written", err=True)
        sys.exit(1)
    path = write_anchor(key, current_app.config["AUDIT_ANCHOR_DIR"])
    db.session.rollback()
    click.echo(f"checkpoint written: {path}")


@audit_cli.command("app-role")
@click.argument("role")
@click.option("--password-env", default="", help="environment variable holding the new role's password")
@click.option("--print-only", is_flag=True, help="print the SQL instead of running it")
@with_appcontext
def app_role(role: str, password_env: str, print_only: bool) -> None:
    """Create or refresh the PostgreSQL role the app runs as (run as the schema owner after `flask db upgrade`)."""
    password = os.environ.get(password_env) if password_env else None
    statements = app_role_statements(role, db.engine.url.database or "", password)
    if print_only:
        click.echo(";\n".join(statements) + ";")
        return
    if db.engine.dialect.name != "postgresql":
        click.echo("app-role is for PostgreSQL", err=True)
        sys.exit(1)
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    click.echo(f"role {role}: SELECT/INSERT on audit_event only, read/write on the working tables, owns nothing")
