"""Redraws (leader-approved, original kept), cancellations and the leader's decision after a failed perform."""

from __future__ import annotations

import secrets

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.clock import utcnow
from app.draws.models import Draw
from app.draws.services.draws import _prepare, _require
from app.draws.services.generator import sha256
from app.errors import N_, Conflict, PermissionDenied, ValidationFailed
from app.extensions import db


def _reason(reason: str, field: str = "reason") -> str:
    text = (reason or "").strip()
    if len(text) < 5:
        raise ValidationFailed({field: [N_("请写明理由（至少 5 个字）。")]})
    return text


def request_redraw(actor: User, draw: Draw, reason: str) -> None:
    """Ask to redraw a drawn result (or a confirmed one whose cases have not started); a leader must approve."""
    _require(actor, Role.SUPERVISION)
    if draw.status != "drawn" and not (draw.status == "confirmed" and draw.cases_started_at is None):
        raise Conflict(N_("只有已抽取、尚未启动检查案件的结果可以申请重新抽取。"))
    text = _reason(reason)
    previous = draw.status
    draw.status, draw.redraw_reason, draw.redraw_requested_by_id = "redraw_requested", text, actor.id
    record_event("draw.redraw_requested", actor=actor, object_type="draw", object_id=draw.id,
                 details={"reason": text, "status": previous})


def approve_redraw(leader: User, draw: Draw) -> Draw:
    """A leader approves: the original is kept (superseded) and a new draw is prepared with the same parameters,
    taking over the year's slot."""
    _require(leader, Role.LEADER)
    if draw.status != "redraw_requested":
        raise Conflict(N_("没有待批准的重新抽取申请。"))
    draw.status, draw.redraw_approved_by_id, draw.redraw_approved_at = "superseded", leader.id, utcnow()
    draw.slot = None
    organiser = db.session.get(User, draw.organiser_id)
    db.session.flush()
    params = {k: v for k, v in draw.params.items() if k != "experts_to_draw"}
    params["experts_to_draw"] = 0 if draw.algorithm_version.endswith("/1") else draw.params["experts_to_draw"]
    params.setdefault("scope", draw.scope)
    new = _prepare(leader, organiser, params, redraw_of=draw)
    record_event("draw.redraw_approved", actor=leader, object_type="draw", object_id=draw.id,
                 details={"new_draw": new.id, "reason": draw.redraw_reason})
    return new


def cancel(actor: User, draw: Draw, reason: str) -> None:
    """Cancel a draw that has no result: a prepared one (supervision or a leader) or a failed one (a leader).
    The record stays; the year's slot is freed."""
    allowed = {"prepared": {Role.SUPERVISION, Role.LEADER}, "failed": {Role.LEADER}}
    if draw.status not in allowed:
        raise Conflict(N_("只有尚未抽取或抽取失败的记录可以取消。"))
    if not allowed[draw.status] & actor.role_set:
        raise PermissionDenied(N_("您的角色不能执行此操作。"))
    text = _reason(reason)
    previous = draw.status
    draw.status, draw.slot = "cancelled", None
    draw.cancel_reason, draw.cancelled_by_id, draw.cancelled_at = text, actor.id, utcnow()
    db.session.flush()
    record_event("draw.cancelled", actor=actor, object_type="draw", object_id=draw.id,
                 details={"reason": text, "status": previous, "attempts": len(draw.attempts or [])})


def allow_new_attempt(leader: User, draw: Draw, reason: str) -> None:
    """After a failed perform a leader allows another attempt, with a recorded reason: a fresh nonce is committed
    (the old one is revealed in the attempt), and the witness performs again."""
    _require(leader, Role.LEADER)
    if draw.status != "failed":
        raise Conflict(N_("只有抽取失败的记录可以决定重新进行抽取。"))
    text = _reason(reason)
    attempts = [dict(a) for a in draw.attempts or []]
    attempts[-1]["decision"] = {"by": leader.id, "reason": text, "at": utcnow().isoformat(timespec="seconds")}
    draw.attempts = attempts
    draw.nonce = secrets.token_hex(32)
    draw.nonce_hash = sha256(draw.nonce)
    draw.status = "prepared"
    db.session.flush()
    record_event("draw.attempt_allowed", actor=leader, object_type="draw", object_id=draw.id,
                 details={"reason": text, "attempt": attempts[-1]["number"], "nonce_hash": draw.nonce_hash})
