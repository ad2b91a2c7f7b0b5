"""`flask process layout FILE…`: generate the diagram layout (BPMN DI) of diagrams."""

from __future__ import annotations

from pathlib import Path

import click

from app.modeler.services import layout
from app.workflow.cli import process_cli
from app.workflow.services.xmlsafe import UnsafeXml


@process_cli.command("layout")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="only report diagrams lacking layout; exit non-zero if any")
def layout_files(files: tuple[Path, ...], check: bool) -> None:
    """Lay out diagrams left to right with lanes as swimlanes, rewriting each file in place."""
    lacking = 0
    for path in files:
        if path.suffix != ".bpmn":
            continue
        text = path.read_text(encoding="utf-8")
        try:
            missing = layout.missing_layout(text)
            if check:
                if missing:
                    lacking += 1
                    click.echo(f"{path}: no layout for {len(missing)} element(s): {', '.join(missing[:10])}")
                continue
            path.write_text(layout.apply_layout(text), encoding="utf-8")
        except UnsafeXml as exc:
            raise click.ClickException(f"{path}: {exc}") from exc
        click.echo(f"{path}: laid out")
    if lacking:
        raise SystemExit(1)
