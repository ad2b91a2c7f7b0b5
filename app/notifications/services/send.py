"""Sending the outbox: e-mail through the configured SMTP server, SMS through the configured hook.

Each message is claimed, sent and marked in its own transaction by the worker (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers never send one message twice). A failure is retried with a growing pause, up to
`MAX_ATTEMPTS`, then the message is marked failed with the error kept.
"""

from __future__ import annotations

import importlib
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.notifications.models import OutboxMessage

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Mailer:
    """SMTP settings (from configuration)."""

    host: str
    port: int
    username: str
    password: str
    security: str  # none | starttls | ssl
    sender: str

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message (UTF-8)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Date"], message["Message-ID"] = formatdate(localtime=True), make_msgid(domain="archives")
        message.set_content(body)
        context = ssl.create_default_context()
        if self.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=30, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=30)
        with client:
            if self.security == "starttls":
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password)
            client.send_message(message)


def load_sms_hook(spec: str) -> Callable[[str, str], None] | None:
    """The SMS gateway hook named `package.module:function` (called with phone and text), or None."""
    if not spec:
        return None
    module_name, _, function = spec.partition(":")
    return getattr(importlib.import_module(module_name), function)


def claim_next(channels: list[str]) -> OutboxMessage | None:
    """Lock and return one message of these channels due for sending (others' locked rows are skipped)."""
    query = (select(OutboxMessage).where(OutboxMessage.status == "pending", OutboxMessage.channel.in_(channels),
                                         OutboxMessage.next_attempt_at <= utcnow())
             .order_by(OutboxMessage.id).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def deliver(message: OutboxMessage, mailer: Mailer | None, sms: Callable[[str, str], None] | None) -> bool:
    """Try to send one message and record the outcome (caller commits); True when sent."""
    message.attempts += 1
    try:
        if message.channel == "email":
            if mailer is None:
                raise RuntimeError("SMTP_HOST is not configured")
            mailer.send(message.address, message.subject, message.body)
        elif message.channel == "sms":
            if sms is None:
                raise RuntimeError("SMS_HOOK is not configured")
            sms(message.address, message.body)
        else:
            raise RuntimeError(f"unknown channel {message.channel}")
    except Exception as exc:  # noqa: BLE001 - any failure of a remote server is recorded and retried
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.next_attempt_at = utcnow() + timedelta(minutes=2 ** message.attempts)
        db.session.flush()
        return False
    message.status, message.sent_at, message.last_error = "sent", utcnow(), None
    db.session.flush()
    return True
