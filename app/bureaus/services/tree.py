"""The bureau tree: who is below whom, the scope a user works in, creating bureaus."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus.context import BureauScope, current, for_bureau, use, widened
from app.bureaus.models import LEVELS, Bureau
from app.bureaus.users import users_in_scope  # noqa: F401 - re-exported for services
from app.errors import N_, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db

# Roles of a higher bureau that read their lower bureaus' work (read-only) on pages that reach down.
UPWARD_ROLES = frozenset({Role.SUPERVISION, Role.LEADER, Role.AUDITOR})
DEFAULT_TIERS = ("副处级（领导职务）", "正科级", "副科级及以下")


def all_bureaus() -> list[Bureau]:
    """Every bureau, in tree order (parents before children, siblings by id)."""
    rows = list(db.session.scalars(select(Bureau).order_by(Bureau.id)))
    children: dict[int | None, list[Bureau]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[Bureau] = []

    def walk(parent: int | None) -> None:
        for row in children.get(parent, []):
            ordered.append(row)
            walk(row.id)

    walk(None)
    return ordered


def get_bureau(bureau_id: int) -> Bureau:
    """The bureau or NotFound (the tree itself is not secret: names are public)."""
    bureau = db.session.get(Bureau, bureau_id)
    if bureau is None:
        raise NotFound(N_("档案局不存在。"))
    return bureau


def descendant_ids(bureau_id: int) -> frozenset[int]:
    """This bureau and every bureau below it."""
    pairs = db.session.execute(select(Bureau.id, Bureau.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for child, parent in pairs:
        children.setdefault(parent, []).append(child)
    found, stack = {bureau_id}, [bureau_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


def child_bureaus(bureau_id: int) -> list[Bureau]:
    """The bureaus directly below this one."""
    return list(db.session.scalars(select(Bureau).where(Bureau.parent_id == bureau_id).order_by(Bureau.id)))


def ancestor_ids(bureau_id: int) -> list[int]:
    """This bureau, its parent, … up to the root."""
    parents = {row[0]: row[1] for row in db.session.execute(select(Bureau.id, Bureau.parent_id))}
    chain: list[int] = []
    node: int | None = bureau_id
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return chain


def scope_for_user(user: User, reach_roles: Iterable[Role] = ()) -> BureauScope:
    """The user's own bureau; plus, read-only, every bureau below it when the page reaches down for their roles."""
    if user.role_set & frozenset(reach_roles):
        return for_bureau(user.bureau_id, descendant_ids(user.bureau_id))
    return for_bureau(user.bureau_id)


def can_read(bureau_id: int | None) -> bool:
    """Whether the current scope may read a row of this bureau (for tables outside the mixin, e.g. users)."""
    visible = current().visible
    return visible is None or bureau_id in visible


def require_readable(bureau_id: int | None) -> None:
    """NotFound (not 'forbidden': another bureau's ids are not confirmed to exist) unless readable."""
    if not can_read(bureau_id):
        raise NotFound(N_("记录不存在。"))


def create_bureau(actor: User | None, *, name: str, short_name: str, level: str, parent_id: int | None) -> Bureau:
    """A new bureau under `parent_id` (one the caller may read) with the default tiers; audited."""
    name, short_name = name.strip(), short_name.strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = [N_("请填写全称（最多 100 字）。")]
    elif db.session.scalar(select(Bureau.id).where(Bureau.name == name)):
        errors["name"] = [N_("已有同名的档案局。")]
    if not short_name or len(short_name) > 20:
        errors["short_name"] = [N_("请填写简称（用于文号，最多 20 字）。")]
    if level not in LEVELS:
        errors["level"] = [N_("请选择层级。")]
    if parent_id is not None and db.session.get(Bureau, parent_id) is None:
        errors["parent_id"] = [N_("上级档案局不存在。")]
    if errors:
        raise ValidationFailed(errors)
    if parent_id is not None and not can_read(parent_id):
        raise PermissionDenied(N_("只能在本局之下设立档案局。"))
    bureau = Bureau(name=name, short_name=short_name, level=level, parent_id=parent_id, active=True)
    db.session.add(bureau)
    db.session.flush()
    from app.bureaus.context import use
    from app.directories.models import Tier

    with use(for_bureau(bureau.id)):
        for position, tier in enumerate(DEFAULT_TIERS):
            db.session.add(Tier(name=tier, position=position, active=True))
        db.session.flush()
        record_event("bureau.created", actor=actor, object_type="bureau", object_id=bureau.id,
                     details={"name": name, "short_name": short_name, "level": level, "parent_id": parent_id})
    return bureau


def update_bureau(actor: User, bureau: Bureau, *, name: str, short_name: str) -> None:
    """Change a bureau's names (new document numbers use the new short name); audited old → new."""
    require_readable(bureau.id)
    name, short_name = name.strip(), short_name.strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = [N_("请填写全称（最多 100 字）。")]
    elif db.session.scalar(select(Bureau.id).where(Bureau.name == name, Bureau.id != bureau.id)):
        errors["name"] = [N_("已有同名的档案局。")]
    if not short_name or len(short_name) > 20:
        errors["short_name"] = [N_("请填写简称（用于文号，最多 20 字）。")]
    if errors:
        raise ValidationFailed(errors)
    changes = {k: {"old": getattr(bureau, k), "new": v} for k, v in (("name", name), ("short_name", short_name))
               if getattr(bureau, k) != v}
    bureau.name, bureau.short_name = name, short_name
    db.session.flush()
    if changes:
        record_event("bureau.updated", actor=actor, object_type="bureau", object_id=bureau.id,
                     details={"changes": changes})


def subordinate_bureaus(bureau_id: int) -> list[Bureau]:
    """Every bureau below this one (not itself), in tree order: those a joint draw may let join."""
    below = descendant_ids(bureau_id) - {bureau_id}
    return [b for b in all_bureaus() if b.id in below and b.active]


@contextmanager
def widened_below(actor: User | None, bureau_ids: Iterable[int], purpose: str,
                  details: dict[str, Any] | None = None) -> Iterator[BureauScope]:
    """For one step, read also these bureaus below the current one (e.g. a joint draw freezing its counties'
    pools); writes still go to the current bureau only. Refused for a bureau not below the current one; audited
    (`bureau.scope_widened`, with the purpose) before anything is read."""
    scope = current()
    own = scope.bureau_id
    ids = frozenset(bureau_ids)
    if own is None or not scope.writable:
        raise PermissionDenied(N_("当前为只读范围，不能在此保存数据。"))
    if not ids:
        yield scope
        return
    if not ids <= descendant_ids(own) - {own}:
        raise PermissionDenied(N_("联合抽查只能邀请本局下级档案局的执法人员和专家。"))
    record_event("bureau.scope_widened", actor=actor, object_type="bureau", object_id=own,
                 details={"purpose": purpose, "bureaus": sorted(ids), **(details or {})})
    with use(widened(scope, ids)) as wide:
        yield wide
