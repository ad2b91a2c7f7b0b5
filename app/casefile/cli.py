"""`flask casefile verify ZIP`: check a downloaded case file against its manifest."""

from __future__ import annotations

from pathlib import Path

import click

from app.casefile.services.manifest import verify_zip


@click.group("casefile")
def casefile_cli() -> None:
    """Case files (案卷)."""


@casefile_cli.command("verify")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(archive: Path) -> None:
    """Recompute every file's SHA-256 and compare with MANIFEST.sha256; exit 1 naming what does not match."""
    verdict = verify_zip(archive)
    if verdict.ok:
        click.echo(f"ok: {verdict.checked} files match MANIFEST.sha256")
        return
    for problem in verdict.problems:
        click.echo(f"FAILED {problem}", err=True)
    raise SystemExit(1)
