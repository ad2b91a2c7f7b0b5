"""`flask process validate|load|list` and `flask worker`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.bureaus.context import SYSTEM, for_bureau, use
from app.bureaus.services import supervision
from app.extensions import db
from app.workflow.services import definitions, lint, timers
from app.workflow.services.engine_errors import EngineError

ROOT = Path(__file__).resolve().parents[2]


@click.group("process")
def process_cli() -> None:
    """Process diagrams (BPMN/DMN) and their versions."""


@process_cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "forms",
              show_default=True, help="folder of the form definitions")
def validate(files: tuple[Path, ...], forms_dir: Path) -> None:
    """Check diagrams before publishing; exits non-zero listing every problem."""
    texts = {path.name: path.read_text(encoding="utf-8") for path in files}
    forms, problems = definitions.read_forms(forms_dir)
    problems += lint.lint_bundle(texts, set(forms))
    for problem in problems:
        click.echo(problem.render())
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"ok: {len(files)} file(s), no problems")


@process_cli.command("load")
@click.option("--publish/--draft", default=True, help="publish new versions at once (default) or keep them drafts")
@with_appcontext
def load(publish: bool) -> None:
    """Load processes/ and forms/ into versioned definitions (idempotent; all or nothing)."""
    try:
        created = definitions.load_folder(None, ROOT / "processes", ROOT / "forms", publish=publish)
    except definitions.DefinitionInvalid as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(problem.render(), err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s); nothing loaded") from exc
    db.session.commit()
    for definition in created:
        click.echo(f"{definition.process_id} v{definition.version} ({definition.status})")
    click.echo(f"{len(created)} new version(s)")


@process_cli.command("list")
@with_appcontext
def list_versions() -> None:
    """Every version with its status and hash."""
    for d in definitions.list_definitions():
        click.echo(f"{d.id:>4} {d.process_id:<28} v{d.version:<3} {d.status:<9} {d.content_hash[:12]}")


def run_due_timers(limit: int = 100) -> int:
    """Fire due timers case by case, each in its own transaction; returns how many cases were handled."""
    handled = 0
    for _ in range(limit):
        with use(SYSTEM):  # the claim looks at every bureau's due timers …
            case = timers.claim_due_case()
        if case is None:
            db.session.rollback()
            break
        case_id, bureau_id = case.id, case.bureau_id
        with use(for_bureau(bureau_id)):  # … and each case runs in its own bureau (calendar, numbers, audit)
            try:
                timers.fire_timers(case)
                db.session.commit()
            except EngineError as exc:
                db.session.rollback()
                timers.mark_error(case_id, exc)
                db.session.commit()
                current_app.logger.error("case %s: %s", case_id, exc)
        handled += 1
    return handled


def escalate_supervision_reports() -> int:
    """Overdue 挂牌督办 progress reports are escalated to the supervising bureau (each in its own bureau)."""
    with use(SYSTEM):
        count = supervision.escalate_overdue()
    db.session.commit()
    return count


@click.command("worker")
@click.option("--once", is_flag=True, help="fire what is due now and exit")
@click.option("--interval", default=30, show_default=True, help="seconds between polls")
@with_appcontext
def worker(once: bool, interval: int) -> None:
    """Fire due timer events (safe to run several at once)."""
    while True:
        handled = run_due_timers()
        escalated = escalate_supervision_reports()
        if escalated:
            click.echo(f"escalated {escalated} overdue supervision report(s)")
        if handled:
            click.echo(f"fired timers of {handled} case(s)")
        if once:
            return
        time.sleep(interval)
