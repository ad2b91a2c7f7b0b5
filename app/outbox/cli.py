"""`flask outbox deliver`: push due outbox events (the timer worker also does it on each poll)."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from app.bureaus.context import SYSTEM, use
from app.extensions import db
from app.outbox.services import delivery

log = logging.getLogger("archives.outbox")


def target_from_config(_bureau_id: int = 0) -> delivery.Target | None:
    """The receiving platform of the configuration (the same for every bureau), or None when OUTBOX_URL is empty."""
    config = current_app.config
    if not config["OUTBOX_URL"]:
        return None
    return delivery.Target(url=config["OUTBOX_URL"], secret=config["OUTBOX_SECRET"],
                           timeout=config["OUTBOX_TIMEOUT"])


def policy_from_config() -> delivery.Policy:
    """Retries and pauses of the configuration; the claim lease outlasts a batch of parallel POSTs."""
    config = current_app.config
    return delivery.Policy(max_attempts=config["OUTBOX_MAX_ATTEMPTS"], backoff_base=config["OUTBOX_BACKOFF_SECONDS"],
                           backoff_max=config["OUTBOX_BACKOFF_MAX_SECONDS"],
                           lease_seconds=config["OUTBOX_TIMEOUT"] * 3 + 30)


def run_outbox(worker: str, max_events: int = 5000, max_seconds: float | None = None) -> delivery.RunStats | None:
    """Deliver what is due (SYSTEM scope: the outbox serves every bureau); None when no push is configured."""
    target = target_from_config()
    if target is None:
        return None
    with use(SYSTEM):
        return delivery.deliver_due(worker, lambda _bureau_id: target, policy_from_config(), max_events, max_seconds)


@click.group("outbox")
def outbox_cli() -> None:
    """The outbox: events pushed to the city's disclosure platform."""


@outbox_cli.command("deliver")
@click.option("--once", is_flag=True, help="deliver what is due now and exit")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="seconds between polls")
@with_appcontext
def deliver(once: bool, interval: float) -> None:
    """Push due events by signed HTTP POST (several may run at once; each item's events stay in order)."""
    from app.operations.services import worker_name

    if target_from_config() is None:
        raise click.ClickException("OUTBOX_URL is not set: nothing to push to")
    stopping = {"now": False}

    def stop(_signum: int, _frame: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    name = f"outbox:{worker_name()}"
    while not stopping["now"]:
        try:
            stats = run_outbox(name)
        except Exception:  # a broken run must not end the loop; the events stay pending
            db.session.rollback()
            log.exception("outbox delivery failed")
            stats = None
        if stats and stats.claimed:
            log.info("outbox: %s delivered, %s retried, %s failed", stats.delivered, stats.retried, stats.failed)
        if once:
            if stats is not None:
                click.echo(f"delivered {stats.delivered}, retried {stats.retried}, failed {stats.failed}")
            break
        deadline = time.monotonic() + interval
        while not stopping["now"] and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
