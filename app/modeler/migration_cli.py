"""`flask case migrate`: preview or move running cases to a newer published version (one transaction per case)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.auth.roles import Role
from app.auth.services import find_user
from app.errors import DomainError
from app.extensions import db
from app.modeler.services import migration, trials

CHANGE_WORDS = {"kept": "保留", "changed": "保留（按新设置）", "removed": "取消", "added": "新增"}


@click.group("case")
def case_cli() -> None:
    """Running cases."""


@case_cli.command("migrate")
@click.argument("case_ids", nargs=-1, type=int)
@click.option("--to", "target_id", required=True, type=int, help="id of the published version to move to")
@click.option("--all", "all_cases", is_flag=True, help="every running case on an older version")
@click.option("--as", "username", help="the legal-section user who migrates (required unless --preview)")
@click.option("--reason", default="", help="why (required unless --preview)")
@click.option("--preview", is_flag=True, help="only show what would change")
@with_appcontext
def migrate(case_ids: tuple[int, ...], target_id: int, all_cases: bool, username: str | None, reason: str,
            preview: bool) -> None:
    """Show each case's preview; unless --preview, migrate the safe ones, committing each case on its own."""
    target = trials.get_definition(target_id)
    ids = [c.id for c in migration.candidates(target)] if all_cases else list(case_ids)
    actor = find_user(username or "") if not preview else None
    if not preview and (actor is None or Role.LEGAL not in actor.role_set):
        click.echo("需要 --as 指定法制科用户。", err=True)
        sys.exit(2)
    failed = 0
    for case_id in ids:
        result = migration.preview(case_id, target.id)
        click.echo(f"#{case_id} v{result.case.definition.version} → v{target.version}: "
                   + ("可以迁移" if result.safe else "不能迁移"))
        for task in result.tasks:
            click.echo(f"  {task.name}: {CHANGE_WORDS[task.change]}")
        for refusal in result.refusals:
            click.echo(f"  原因：{refusal}")
        if preview or not result.safe:
            failed += 0 if result.safe else 1
            continue
        try:
            migration.migrate_case(actor, case_id, target.id, reason)
            db.session.commit()
            click.echo("  已迁移")
        except DomainError as exc:
            db.session.rollback()
            failed += 1
            click.echo(f"  未迁移：{exc}", err=True)
    sys.exit(1 if failed else 0)
