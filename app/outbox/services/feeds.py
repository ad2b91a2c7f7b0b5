"""Public pull feeds of an outbox topic: pages of events by their id (the cursor), newest first or since a cursor.

The payload of a public topic is already the published, masked text: the feeds show it and nothing else about
the event's bureau or people beyond the bureau id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.outbox.models import OutboxEvent

PUBLIC_TOPICS = ("disclosure",)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class FeedPage:
    """One page: its events in the page's order; `next_before` (older page) or `next_since` (newer) cursors."""

    events: list[OutboxEvent]
    next_before: int | None
    next_since: int | None
    more: bool


def page(topic: str, limit: int = DEFAULT_LIMIT, before: int | None = None, since: int | None = None) -> FeedPage:
    """Newest first (optionally older than `before`), or oldest first after `since` (to catch up from a cursor)."""
    limit = max(1, min(limit, MAX_LIMIT))
    query = select(OutboxEvent).where(OutboxEvent.topic == topic)
    if since is not None:
        rows = list(db.session.scalars(query.where(OutboxEvent.id > since).order_by(OutboxEvent.id).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        return FeedPage(rows, None, rows[-1].id if rows else since, more)
    if before is not None:
        query = query.where(OutboxEvent.id < before)
    rows = list(db.session.scalars(query.order_by(OutboxEvent.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return FeedPage(rows, rows[-1].id if more else None, rows[0].id if rows else before, more)


def timestamp(event: OutboxEvent) -> str:
    """RFC 3339 UTC time of the event."""
    return event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def as_json(event: OutboxEvent) -> dict[str, Any]:
    """One feed entry: the stable event id, its cursor, the item and its sequence number, the public payload."""
    return {"id": event.event_id, "cursor": event.id, "topic": event.topic, "item_key": event.item_key,
            "seq": event.seq, "type": event.event_type, "created_at": timestamp(event),
            "bureau_id": event.bureau_id, "payload": event.payload}
