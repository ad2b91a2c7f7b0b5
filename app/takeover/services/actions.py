"""Reassigning a task, suspending, resuming and cancelling a case — each with a reason, audited on the case.

The procedure's guards still hold: the new person must hold the task's role (and legal professional qualification
for a legal review), a task named to a team keeps its team size (one person replaces another), and a suspended
case neither fires timers (the worker only claims running cases) nor lets anyone complete its tasks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus.users import users_in_scope
from app.clock import utcnow
from app.errors import N_, Conflict, ValidationFailed
from app.extensions import db
from app.workflow.models import Case, Task, TaskAssignee
from app.workflow.services import legal_review
from app.workflow.services.cases import _lock_case, get_task

CASE_ACTIONS = {
    # action: (allowed from, new status, audit action)
    "suspend": (("running",), "suspended", "case.suspended"),
    "resume": (("suspended",), "running", "case.resumed"),
    "cancel": (("running", "suspended", "error"), "cancelled", "case.cancelled"),
}


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [N_("请填写理由。")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [N_("理由最多 500 字。")]})
    return reason


def candidates(task: Task) -> list[User]:
    """Active users who could take this task: holding its role (and legal qualification for a legal review)."""
    from app.auth.models import UserRole

    query = users_in_scope(select(User).join(UserRole, UserRole.user_id == User.id)
                           .where(UserRole.role == task.role, User.active.is_(True), User.bureau_id == task.bureau_id)
                           .order_by(User.full_name))
    users = list(db.session.scalars(query))
    if task.form_key == legal_review.REVIEW_FORM:
        users = [u for u in users if u.legal_qualified]
    return users


def reassign(actor: User, task_id: int, to_user_id: int | None, reason: str,
             from_user_id: int | None = None) -> Task:
    """Give an open task to another person holding its role; for a team task one member is replaced."""
    row = get_task(task_id)
    case = _lock_case(row.case_id)
    db.session.refresh(row)
    if row.state != "ready" or case.status not in ("running", "suspended"):
        raise Conflict(N_("此任务已办结或已取消，不能转派。"))
    reason = _reason(reason)
    target = db.session.get(User, to_user_id) if to_user_id else None
    if target is None or not target.active:
        raise ValidationFailed({"to_user_id": [N_("请选择在岗的接办人。")]})
    if Role(row.role) not in target.role_set:
        raise ValidationFailed({"to_user_id": [N_("接办人须担任此任务的角色。")]})
    try:
        legal_review.check_reviewer(target, row)
    except Exception as exc:  # PermissionDenied: say it on the field, change nothing
        raise ValidationFailed({"to_user_id": [N_("法制审核人员须具有法律职业资格。")]}) from exc
    current = [a.user_id for a in row.assignees]
    if target.id in current:
        raise ValidationFailed({"to_user_id": [N_("接办人已是此任务的办理人。")]})
    replaced: int | None = None
    if row.restricted and current:
        if from_user_id is None and len(current) == 1:
            from_user_id = current[0]
        if from_user_id not in current:
            raise ValidationFailed({"from_user_id": [N_("请选择被替换的办理人。")]})
        replaced = from_user_id
        row.assignees = [a for a in row.assignees if a.user_id != replaced] + [TaskAssignee(user_id=target.id)]
    else:
        row.restricted = True
        row.assignees = [TaskAssignee(user_id=target.id)]
    case.updated_at = utcnow()
    db.session.flush()
    previous = db.session.get(User, replaced) if replaced else None
    record_event("task.reassigned", actor=actor, object_type="case", object_id=case.id,
                 details={"task_id": row.id, "name": row.name,
                          "from": previous.full_name if previous else None, "to": target.full_name,
                          "to_user_id": target.id, "reason": reason})
    return row


def change_case(actor: User, case_id: int, action: str, reason: str) -> Case:
    """Suspend, resume or cancel a case with a reason; cancelling closes its open tasks and timers."""
    if action not in CASE_ACTIONS:
        raise ValidationFailed({"action": [N_("未知的操作。")]})
    allowed, status, audit_action = CASE_ACTIONS[action]
    case = _lock_case(case_id)
    if case.status not in allowed:
        raise Conflict(N_("案件当前状态不允许此操作。"))
    reason = _reason(reason)
    now = utcnow()
    previous = case.status
    case.status, case.updated_at = status, now
    details: dict[str, Any] = {"reason": reason, "from_status": previous}
    if action == "cancel":
        case.next_timer_at, case.completed_at = None, now
        open_tasks = list(db.session.scalars(select(Task).where(Task.case_id == case.id, Task.state == "ready")))
        for task in open_tasks:
            task.state, task.completed_at = "cancelled", now
        details["cancelled_tasks"] = [t.name for t in open_tasks]
    db.session.flush()
    record_event(audit_action, actor=actor, object_type="case", object_id=case.id, details=details)
    return case
