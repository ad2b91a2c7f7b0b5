"""What kinds of notification exist, and which channels each person wants for each."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, update

from app.auth.models import User
from app.clock import utcnow
from app.errors import N_, ValidationFailed
from app.extensions import db
from app.notifications.models import Notification, NotificationSettings

# kind → (title msgid with %(task)s / %(case)s / %(due)s / %(year)s, default channels)
KINDS: dict[str, str] = {
    "new_task": N_("新任务：%(task)s（%(case)s）"),
    "due_soon": N_("任务将于 %(due)s 到期：%(task)s（%(case)s）"),
    "overdue": N_("任务已逾期（期限 %(due)s）：%(task)s（%(case)s）"),
    "returned": N_("任务被退回修改：%(task)s（%(case)s）"),
    "reassigned": N_("任务转由您办理：%(task)s（%(case)s）"),
    "review_requested": N_("请进行法制审核：%(task)s（%(case)s）"),
    "draw_witness": N_("%(year)s 年度随机抽取等待您见证"),
}
CHANNELS = ("app", "email", "sms")
DEFAULT_CHANNELS = ["app", "email"]
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9]{6,20}$")


def settings_for(user_id: int) -> NotificationSettings | None:
    """The person's settings row (None: defaults, no address)."""
    return db.session.get(NotificationSettings, user_id)


def channels_for(settings: NotificationSettings | None, kind: str) -> list[str]:
    """Channels this person wants for this kind."""
    if settings is None or kind not in settings.channels:
        return list(DEFAULT_CHANNELS)
    return list(settings.channels[kind])


def save(user: User, email: str, phone: str, channels: dict[str, list[str]]) -> NotificationSettings:
    """Store the person's own addresses and channel choices (caller commits)."""
    email, phone = email.strip(), phone.strip().replace(" ", "")
    errors: dict[str, list[str]] = {}
    if email and (len(email) > 200 or not EMAIL_RE.match(email)):
        errors["email"] = [N_("电子邮箱格式不正确，例如 name@example.gov.cn。")]
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = [N_("手机号码只能包含数字（可带 +），6 到 20 位。")]
    if errors:
        raise ValidationFailed(errors)
    row = settings_for(user.id)
    if row is None:
        row = NotificationSettings(user_id=user.id, channels={})
        db.session.add(row)
    row.email, row.phone, row.updated_at = email or None, phone or None, utcnow()
    row.channels = {kind: [c for c in CHANNELS if c in channels.get(kind, [])] for kind in KINDS}
    db.session.flush()
    return row


def unread_count(user_id: int) -> int:
    """How many unread notifications the bell shows."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def latest(user_id: int, limit: int = 100) -> list[Notification]:
    """The person's notifications, newest first."""
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def mark_read(user_id: int, notification_id: int | None = None) -> Notification | None:
    """Mark one (or, with None, every) notification of this person read; returns the one."""
    now = utcnow()
    if notification_id is None:
        db.session.execute(update(Notification).where(Notification.user_id == user_id,
                                                      Notification.read_at.is_(None)).values(read_at=now))
        return None
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        return None
    row.read_at = row.read_at or now
    db.session.flush()
    return row


def title(row: Notification, translate: Any) -> str:
    """The notification's sentence in the reader's language (`translate` is gettext)."""
    return str(translate(KINDS[row.kind], **row.params))
