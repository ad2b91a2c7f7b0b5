"""The worker's notification job (`run_notifications`) and `flask notifications send-test`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.notifications.services import produce, send


def mailer_from_config() -> send.Mailer | None:
    """The SMTP mailer of the configuration, or None when SMTP_HOST is empty."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        return None
    return send.Mailer(host=config["SMTP_HOST"], port=config["SMTP_PORT"], username=config["SMTP_USERNAME"],
                       password=config["SMTP_PASSWORD"], security=config["SMTP_SECURITY"],
                       sender=config["MAIL_FROM"])


def run_notifications(limit: int = 200) -> tuple[int, int]:
    """Create due notifications (one transaction), then send queued messages one transaction each."""
    config = current_app.config
    sms = send.load_sms_hook(config["SMS_HOOK"])
    created = produce.produce(config["PUBLIC_BASE_URL"], sms_enabled=sms is not None)
    db.session.commit()
    mailer, sent = mailer_from_config(), 0
    # A channel that is not configured keeps its messages queued until it is.
    channels = [name for name, ready in (("email", mailer), ("sms", sms)) if ready is not None]
    for _ in range(limit if channels else 0):
        message = send.claim_next(channels)
        if message is None:
            db.session.rollback()
            break
        sent += send.deliver(message, mailer, sms)
        db.session.commit()
    return created, sent


@click.group("notifications")
def notifications_cli() -> None:
    """Notifications: e-mail and SMS."""


@notifications_cli.command("send-test")
@click.argument("address")
@with_appcontext
def send_test(address: str) -> None:
    """Send a test e-mail through the configured SMTP server."""
    mailer = mailer_from_config()
    if mailer is None:
        raise click.ClickException("SMTP_HOST is not set")
    mailer.send(address, "档案行政执法监督平台：测试邮件", "邮件通知已配置成功。\n")
    click.echo(f"sent to {address}")
