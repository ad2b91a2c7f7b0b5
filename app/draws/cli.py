"""`flask draw list`, `flask draw verify ID` and `flask draw package ID` (the verification package as JSON)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from app.bureaus.cli import in_bureau
from app.bureaus.services.tree import get_bureau
from app.draws.services import draws, package
from app.draws.services.verify import verify
from app.errors import NotFound


@click.group("draw")
def draw_cli() -> None:
    """The yearly random draws."""


@draw_cli.command("list")
@with_appcontext
@in_bureau
def list_draws() -> None:
    """Every draw with its id, year, status and record hash."""
    for d in draws.list_draws():
        selected = (d.result or {}).get("selected_count", "-")
        click.echo(f"{d.id:>4}  {d.year}  {d.status:<17} selected {selected:<5} {d.record_hash or ''}")


@draw_cli.command("verify")
@click.argument("draw_id", type=int)
@with_appcontext
@in_bureau
def verify_command(draw_id: int) -> None:
    """Re-run a draw from its record; exit 1 naming the first difference."""
    try:
        draw = draws.get_draw(draw_id)
    except NotFound as exc:
        raise click.ClickException(f"no draw {draw_id}") from exc
    report = verify(draw)
    for check in report.checks:
        click.echo(f"ok  {check}")
    if not report.ok:
        click.echo(f"DIFFERENT: {report.difference}", err=True)
        sys.exit(1)
    click.echo(f"draw {draw_id} verified: the record reproduces exactly")


@draw_cli.command("package")
@click.argument("draw_id", type=int)
@click.argument("output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
@in_bureau
def package_command(draw_id: int, output: click.utils.LazyFile) -> None:
    """Write the draw's verification package (check it with tools/verify_draw.py)."""
    try:
        draw = draws.get_draw(draw_id)
    except NotFound as exc:
        raise click.ClickException(f"no draw {draw_id}") from exc
    if not package.has_package(draw):
        raise click.ClickException(f"draw {draw_id} has neither a result nor a failed attempt")
    json.dump(package.build(draw, get_bureau(draw.bureau_id).name), output, ensure_ascii=False, sort_keys=True,
              indent=1)
