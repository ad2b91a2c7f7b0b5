"""CLI commands work in one bureau, named explicitly (`--bureau ID`, default the first bureau); `flask bureau list`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask.cli import with_appcontext

from app.bureaus.context import SYSTEM, for_bureau, use
from app.bureaus.services import tree


def in_bureau(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--bureau ID` to a command and run it in that bureau's context (its rows, its numbers, its audit)."""

    @click.option("--bureau", "bureau_id", type=int, default=1, show_default=True,
                  help="id of the bureau this command works in (see `flask bureau list`)")
    @functools.wraps(command)
    def wrapper(*args: Any, bureau_id: int, **kwargs: Any) -> Any:
        with use(SYSTEM):
            known = {b.id for b in tree.all_bureaus()}
        if bureau_id not in known:
            raise click.ClickException(f"no bureau {bureau_id}; see `flask bureau list`")
        with use(for_bureau(bureau_id)):
            return command(*args, **kwargs)
    return wrapper


@click.group("bureau")
def bureau_cli() -> None:
    """The bureau tree."""


@bureau_cli.command("list")
@with_appcontext
def list_bureaus() -> None:
    """Every bureau with its id, level, short name and parent."""
    with use(SYSTEM):
        for b in tree.all_bureaus():
            click.echo(f"{b.id:>4}  {b.level:<8} {b.short_name:<6} {b.name}  (parent {b.parent_id or '-'})")
