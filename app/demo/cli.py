"""`flask demo seed` loads the demo bureau; `flask demo accounts` prints its logins."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.demo.services import DEMO_ACCOUNTS, DEMO_BUREAU, DEMO_COUNTIES, county_accounts, seed_demo
from app.extensions import db


@click.group("demo")
def demo_cli() -> None:
    """Demo data (fictitious; never load it into a production database)."""


@demo_cli.command("seed")
@with_appcontext
def seed() -> None:
    """Load the demo data once (idempotent)."""
    created = seed_demo(Path(current_app.config["FILES_DIR"]) / "attachments")
    db.session.commit()
    click.echo(f"demo data created: {', '.join(created)}" if created else "demo data already loaded")


@demo_cli.command("accounts")
def accounts() -> None:
    """Print the demo logins."""
    click.echo(f"\n{DEMO_BUREAU} — demo accounts (fictitious data):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role.value:<12} {account.username:<18} {account.password}")
    for county in DEMO_COUNTIES:
        click.echo(f"\n{county.name}（演示数据）:")
        for account in county_accounts(county):
            click.echo(f"  {account.role.value:<12} {account.username:<22} {account.password}")
    click.echo("\nOpen http://127.0.0.1:5000 and sign in with one of them.\n")
