"""The worker's notification job: look at tasks and draws, create each notification once, queue e-mail/SMS.

Nothing here runs inside a person's request: a request only writes its task rows; the worker notices them on its
next poll (new tasks by id above a cursor, due and overdue tasks by their indexed due time, prepared draws).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select

from app.audit.models import AuditEvent
from app.auth.models import User, UserRole
from app.auth.roles import Role
from app.calendar.services import WorkingDays
from app.clock import to_local, utcnow
from app.draws.models import Draw
from app.extensions import db
from app.notifications.models import Notification, NotifierCursor, OutboxMessage
from app.notifications.services.preferences import KINDS, channels_for, settings_for
from app.takeover.models import Delegation
from app.workflow.models import Case, Task

REVIEW_FORM = "lr_review"
SETTLE = timedelta(minutes=2)


def _cursor(name: str) -> NotifierCursor:
    row = db.session.get(NotifierCursor, name)
    if row is None:
        row = NotifierCursor(name=name, value=0)
        db.session.add(row)
    return row


def recipients(task: Task, today: Any) -> list[User]:
    """Who may act on the task: its named users and their delegates, else everyone holding its role; active only."""
    if task.restricted:
        named = [a.user_id for a in task.assignees]
        delegates = db.session.scalars(select(Delegation.delegate_id).where(
            Delegation.delegator_id.in_(named), Delegation.revoked_at.is_(None),
            Delegation.starts_on <= today, Delegation.ends_on >= today)) if named else []
        ids = {*named, *delegates}
        users = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else []
        return [u for u in users if u.active and Role(task.role) in u.role_set]
    return list(db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                   .where(UserRole.role == task.role, User.active.is_(True))))


def notify(user: User, kind: str, key: str, params: dict[str, Any], link: str, base_url: str,
           sms_enabled: bool) -> Notification | None:
    """Create the notification once per (user, key) and queue the person's e-mail/SMS; None if it existed."""
    exists_already = db.session.scalar(select(Notification.id).where(Notification.user_id == user.id,
                                                                     Notification.key == key))
    if exists_already is not None:
        return None
    settings = settings_for(user.id)
    channels = channels_for(settings, kind)
    now = utcnow()
    row = Notification(user_id=user.id, kind=kind, key=key, params=params, link=link, created_at=now,
                       read_at=None if "app" in channels else now)
    db.session.add(row)
    db.session.flush()
    subject = KINDS[kind] % params
    body = f"{user.full_name}：\n\n{subject}\n\n{base_url.rstrip('/')}{link}\n"
    if settings is not None and settings.email and "email" in channels:
        db.session.add(OutboxMessage(notification_id=row.id, channel="email", address=settings.email,
                                     subject=subject, body=body, next_attempt_at=now))
    if sms_enabled and settings is not None and settings.phone and "sms" in channels:
        db.session.add(OutboxMessage(notification_id=row.id, channel="sms", address=settings.phone,
                                     subject=subject, body=subject, next_attempt_at=now))
    return row


def _task_params(task: Task, due: datetime | None = None) -> dict[str, Any]:
    params = {"task": task.name, "case": task.case.subject}
    if due is not None:
        params["due"] = to_local(due).strftime("%Y-%m-%d %H:%M")
    return params


def _advance(cursor: NotifierCursor, row_id: int, created_at: datetime, now: datetime) -> None:
    """Move the cursor past a row only once it is older than SETTLE: a transaction that took a lower id but
    committed later is still seen (rows seen twice are harmless: each notification has a unique key)."""
    if created_at <= now - SETTLE:
        cursor.value = max(cursor.value, row_id)


def _new_tasks(base_url: str, sms: bool, today: Any) -> int:
    cursor, now = _cursor("task"), utcnow()
    rows = list(db.session.scalars(select(Task).where(Task.id > cursor.value).order_by(Task.id).limit(500)))
    created = 0
    for task in rows:
        _advance(cursor, task.id, task.created_at, now)
        if task.state != "ready" or task.case.status != "running":
            continue
        returned = db.session.scalar(select(Task.id).where(
            Task.case_id == task.case_id, Task.element_id == task.element_id, Task.state == "completed",
            Task.id < task.id).limit(1))
        kind = "review_requested" if task.form_key == REVIEW_FORM else "returned" if returned else "new_task"
        for user in recipients(task, today):
            created += notify(user, kind, f"task:{task.id}", _task_params(task), f"/tasks/{task.id}",
                              base_url, sms) is not None
    return created


def _reassignments(base_url: str, sms: bool) -> int:
    cursor, now = _cursor("audit"), utcnow()
    # Walk every new event (the cursor keeps up with the log); act on reassignments.
    rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > cursor.value)
                                   .order_by(AuditEvent.id).limit(2000)))
    created = 0
    for event in rows:
        _advance(cursor, event.id, event.occurred_at, now)
        if event.action != "task.reassigned":
            continue
        task = db.session.get(Task, event.details.get("task_id"))
        user = db.session.get(User, event.details.get("to_user_id") or 0)
        if task is None or user is None or task.state != "ready":
            continue
        created += notify(user, "reassigned", f"reassigned:{event.id}", _task_params(task), f"/tasks/{task.id}",
                          base_url, sms) is not None
    return created


def _deadlines(base_url: str, sms: bool, today: Any) -> int:
    now = utcnow()
    horizon = WorkingDays().add_working_days(now, 1)
    running = exists().where(and_(Case.id == Task.case_id, Case.status == "running"))
    rows = db.session.scalars(select(Task).where(Task.state == "ready", Task.due_at.is_not(None),
                                                 Task.due_at <= horizon, running).order_by(Task.due_at).limit(500))
    created = 0
    for task in rows:
        assert task.due_at is not None
        kind = "overdue" if task.due_at <= now else "due_soon"
        for user in recipients(task, today):
            created += notify(user, kind, f"{kind}:{task.id}", _task_params(task, task.due_at),
                              f"/tasks/{task.id}", base_url, sms) is not None
    return created


def _draws(base_url: str, sms: bool) -> int:
    prepared = list(db.session.scalars(select(Draw).where(Draw.status == "prepared")))
    if not prepared:
        return 0
    witnesses = list(db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                        .where(UserRole.role == Role.DISCIPLINE.value, User.active.is_(True))))
    created = 0
    for draw in prepared:
        for user in witnesses:
            created += notify(user, "draw_witness", f"draw:{draw.id}", {"year": draw.year}, f"/draws/{draw.id}",
                              base_url, sms) is not None
    return created


def produce(base_url: str, sms_enabled: bool = False) -> int:
    """One pass of the notification job (caller commits); returns how many notifications it created.

    With several workers on PostgreSQL only one produces at a time (a transaction advisory lock; the others skip
    this poll); on SQLite the database's single writer serialises them."""
    from sqlalchemy import text

    from app.clock import local_today

    if db.session.get_bind().dialect.name == "postgresql" and not db.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(4242018)")):
        return 0
    today = local_today()
    created = _new_tasks(base_url, sms_enabled, today)
    created += _reassignments(base_url, sms_enabled)
    created += _deadlines(base_url, sms_enabled, today)
    created += _draws(base_url, sms_enabled)
    db.session.flush()
    return created


def pending_count() -> int:
    """Messages waiting in the outbox."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == "pending")) or 0
