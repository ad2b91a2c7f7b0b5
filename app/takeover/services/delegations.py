"""Delegations: who may act for whom today, creating and revoking them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.clock import local_today, utcnow
from app.errors import N_, NotFound, ValidationFailed
from app.extensions import db
from app.takeover.models import Delegation

# Roles whose work is done in tasks; a delegate must share one of these with the delegator.
WORKING_ROLES = frozenset(Role) - {Role.ADMIN, Role.AUDITOR}


def acting_for(user_id: int, today: date | None = None) -> list[int]:
    """The user's own id plus every delegator whose delegation to this user runs today."""
    today = today or local_today()
    delegators = db.session.scalars(select(Delegation.delegator_id).where(
        Delegation.delegate_id == user_id, Delegation.revoked_at.is_(None),
        Delegation.starts_on <= today, Delegation.ends_on >= today))
    return sorted({user_id, *delegators})


def current_and_future(today: date | None = None) -> list[Delegation]:
    """Delegations not yet ended nor revoked, soonest first."""
    today = today or local_today()
    return list(db.session.scalars(select(Delegation).where(
        Delegation.revoked_at.is_(None), Delegation.ends_on >= today).order_by(Delegation.starts_on, Delegation.id)))


def create(actor: User, delegator_id: int, delegate_id: int, starts_on: date | None, ends_on: date | None,
           reason: str) -> Delegation:
    """Let `delegate` act on `delegator`'s named tasks for a period; audited (caller commits)."""
    errors: dict[str, list[str]] = {}
    delegator = db.session.get(User, delegator_id) if delegator_id else None
    delegate = db.session.get(User, delegate_id) if delegate_id else None
    today = local_today()
    if delegator is None:
        errors["delegator_id"] = [N_("请选择被代理人。")]
    if delegate is None or not delegate.active:
        errors["delegate_id"] = [N_("请选择在岗的代理人。")]
    elif delegator is not None and delegate.id == delegator.id:
        errors["delegate_id"] = [N_("代理人不能是被代理人本人。")]
    elif delegator is not None and not (delegator.role_set & delegate.role_set & WORKING_ROLES):
        errors["delegate_id"] = [N_("代理人须与被代理人至少担任一个相同的办案角色。")]
    if starts_on is None:
        errors["starts_on"] = [N_("请填写开始日期。")]
    if ends_on is None:
        errors["ends_on"] = [N_("请填写结束日期。")]
    elif ends_on < today:
        errors["ends_on"] = [N_("结束日期不能早于今天。")]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [N_("结束日期不能早于开始日期。")]
    if not reason.strip():
        errors["reason"] = [N_("请填写理由。")]
    elif len(reason) > 500:
        errors["reason"] = [N_("理由最多 500 字。")]
    if errors:
        raise ValidationFailed(errors)
    assert delegator is not None and delegate is not None and starts_on is not None and ends_on is not None
    row = Delegation(delegator_id=delegator.id, delegate_id=delegate.id, starts_on=starts_on, ends_on=ends_on,
                     reason=reason.strip(), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record_event("delegation.created", actor=actor, object_type="user", object_id=delegator.id,
                 details={"delegation_id": row.id, "delegator": delegator.full_name, "delegate": delegate.full_name,
                          "starts_on": starts_on, "ends_on": ends_on, "reason": row.reason})
    return row


def revoke(actor: User, delegation_id: int) -> Delegation:
    """End a delegation now; audited (caller commits)."""
    row = db.session.get(Delegation, delegation_id)
    if row is None or row.revoked_at is not None:
        raise NotFound(N_("该代理不存在或已撤销。"))
    row.revoked_at = utcnow()
    db.session.flush()
    record_event("delegation.revoked", actor=actor, object_type="user", object_id=row.delegator_id,
                 details={"delegation_id": row.id, "delegator": row.delegator.full_name,
                          "delegate": row.delegate.full_name})
    return row
