"""`flask user …`: create the first administrator on a new installation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.auth import services
from app.bureaus.cli import in_bureau
from app.errors import DomainError, ValidationFailed
from app.extensions import db


@click.group("user")
def user_cli() -> None:
    """Manage user accounts from the command line."""


@user_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name")
@click.option("--role", "roles", multiple=True, required=True, help="Role code (repeatable)")
@click.option("--legal-qualified", is_flag=True, help="Holds legal professional qualification")
@click.password_option()
@with_appcontext
@in_bureau
def create(username: str, full_name: str, roles: tuple[str, ...], legal_qualified: bool, password: str) -> None:
    """Create an account (audited as done by the command line)."""
    try:
        user = services.create_user(None, username=username, full_name=full_name, password=password,
                                    roles=list(roles), legal_qualified=legal_qualified)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, ValidationFailed):
            for field, messages in exc.errors.items():
                click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created user {user.username} (id {user.id})")
