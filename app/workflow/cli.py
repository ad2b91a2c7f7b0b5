"""`flask process validate|load|list` and the timer job the worker runs (`run_due_timers`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from app.bureaus.context import SYSTEM, for_bureau, use
from app.bureaus.services import supervision
from app.errors import Conflict
from app.extensions import db
from app.modeler.services import layout
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
    texts: dict[str, str] = {}
    for path in files:
        data = path.read_bytes()
        try:
            texts[path.name] = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00<" in data[:8] or b"<\x00" in data[:8]
            kind = "UTF-16" if utf16 else "not UTF-8"
            click.echo(f"{path.name}: the file is {kind}: diagrams must be saved as UTF-8 "
                       f"(文件不是 UTF-8 编码，请另存为 UTF-8)", err=True)
            sys.exit(1)
    forms, problems = definitions.read_forms(forms_dir)
    problems += lint.lint_bundle(texts, set(forms))
    for problem in problems:
        click.echo(problem.render())
    for name, text in texts.items():
        missing = layout.missing_layout(text) if name.endswith(".bpmn") and not problems else []
        if missing:  # a warning, not an error: the engine does not need the picture, people do
            example = ", ".join(missing[:5])
            click.echo(f"warning: {name}: 流程图没有布局，无法绘制（{len(missing)} 个元素，如 {example}）/ "
                       f"no diagram layout for {len(missing)} element(s); run `flask process layout {name}` "
                       "to lay it out automatically", err=True)
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
            except (Conflict, OperationalError) as exc:
                # Another worker (or a person completing a task) saved this case first: leave it to them.
                db.session.rollback()
                current_app.logger.info("case %s changed meanwhile, left to the next poll: %s", case_id, exc)
                break
        handled += 1
    return handled


def escalate_supervision_reports() -> int:
    """Overdue 挂牌督办 progress reports are escalated to the supervising bureau (each in its own bureau)."""
    with use(SYSTEM):
        count = supervision.escalate_overdue()
    db.session.commit()
    return count


LAST_CLEAN_UP = [0.0]


def clean_up(force: bool) -> None:
    """Hourly: pending uploads never submitted, files no record refers to, import previews never confirmed; and
    (SQLite) the query planner's statistics."""
    from app.directories.services.importing import remove_stale_previews
    from app.operations.services import refresh_planner_statistics
    from app.workflow.services import attachments

    if not force and time.time() - LAST_CLEAN_UP[0] < 3600:
        return
    LAST_CLEAN_UP[0] = time.time()
    instance = Path(current_app.instance_path)
    removed = attachments.remove_stale(Path(current_app.config["FILES_DIR"]) / "attachments")
    db.session.commit()
    removed += remove_stale_previews(instance / "imports")
    if removed:
        click.echo(f"removed {removed} stale upload(s)")
    refresh_planner_statistics()


def anchor_audit_daily() -> None:
    """Once a day, a signed checkpoint of the audit chain head (when AUDIT_ANCHOR_KEY is set)."""
    from app.audit.services import anchor_due, write_anchor
    from app.clock import utcnow

    key, folder = current_app.config.get("AUDIT_ANCHOR_KEY"), current_app.config["AUDIT_ANCHOR_DIR"]
    if key and anchor_due(folder, utcnow().date()):
        click.echo(f"audit checkpoint written: {write_anchor(key, folder)}")
        db.session.rollback()
