"""The push dashboard: what is waiting or failed, with its last error; redelivery of one event (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select

from app.audit.services import record_event
from app.auth.models import User
from app.bureaus.models import Bureau
from app.clock import utcnow
from app.errors import N_, Conflict, NotFound
from app.extensions import db
from app.outbox.models import OutboxEvent

PAGE_SIZE = 100


@dataclass(frozen=True)
class Summary:
    """Counts over the readable bureaus: waiting, retrying (failed at least once), failed, delivered in 24 h."""

    pending: int
    retrying: int
    failed: int
    delivered_today: int
    oldest_pending_minutes: int | None


def summary() -> Summary:
    """One query over the readable bureaus' events (the request scope filters them)."""
    since = utcnow() - timedelta(hours=24)
    row = db.session.execute(select(
        func.count(case((OutboxEvent.status == "pending", 1))),
        func.count(case(((OutboxEvent.status == "pending") & (OutboxEvent.attempts > 0), 1))),
        func.count(case((OutboxEvent.status == "failed", 1))),
        func.count(case(((OutboxEvent.status == "delivered") & (OutboxEvent.delivered_at >= since), 1))),
        func.min(case((OutboxEvent.status == "pending", OutboxEvent.created_at))),
    )).one()
    oldest = None if row[4] is None else max(0, int((utcnow() - row[4]).total_seconds() // 60))
    return Summary(pending=row[0], retrying=row[1], failed=row[2], delivered_today=row[3],
                   oldest_pending_minutes=oldest)


@dataclass(frozen=True)
class Row:
    """One listed event, its bureau's name, and the earlier event of its item it waits for (None: not waiting)."""

    event: OutboxEvent
    bureau_name: str
    waits_for_seq: int | None


def undelivered(page: int = 1) -> tuple[list[Row], bool]:
    """Failed events first, then pending ones, oldest first; with the owning bureau's name; and whether more."""
    query = (select(OutboxEvent, Bureau.name).join(Bureau, Bureau.id == OutboxEvent.bureau_id)
             .where(OutboxEvent.status.in_(("pending", "failed")))
             .order_by(case((OutboxEvent.status == "failed", 0), else_=1), OutboxEvent.id)
             .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    found = list(db.session.execute(query))
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    keys = {event.item_key for event, _ in found}
    first_open: dict[tuple[str, str], int] = {}
    if keys:  # each listed item's first undelivered event: later ones wait for it
        for topic, item_key, seq in db.session.execute(
                select(OutboxEvent.topic, OutboxEvent.item_key, func.min(OutboxEvent.seq))
                .where(OutboxEvent.item_key.in_(keys), OutboxEvent.status != "delivered")
                .group_by(OutboxEvent.topic, OutboxEvent.item_key)):
            first_open[(topic, item_key)] = seq
    rows = []
    for event, name in found:
        first = first_open.get((event.topic, event.item_key), event.seq)
        rows.append(Row(event, name, first if first < event.seq else None))
    return rows, more


def redeliver(actor: User, event_pk: int) -> OutboxEvent:
    """Send a failed (or waiting) event again now, attempts counted afresh; audited; the caller commits.

    A delivered event is not sent again: the item's later events may already be at the platform, and resending
    an old one would put it after them."""
    event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.id == event_pk))
    if event is None:
        raise NotFound(N_("推送事件不存在。"))
    if event.status == "delivered":
        raise Conflict(N_("该事件已送达，不能重新推送。"))
    before = {"status": event.status, "attempts": event.attempts, "last_error": event.last_error}
    event.status = "pending"
    event.attempts = 0
    event.next_attempt_at = utcnow()
    event.claimed_by = None
    event.claimed_until = None
    record_event("outbox.redeliver", actor=actor, object_type="outbox_event", object_id=event.id,
                 details={"event_id": event.event_id, "topic": event.topic, "item_key": event.item_key,
                          "seq": event.seq, "before": before})
    return event
