"""Each publish, withdrawal and take-down is written to the outbox (app/outbox) in the same transaction; the
outbox's worker pushes it to the city's disclosure platform and its feeds offer it for pulling."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.outbox.services import enqueue

TOPIC = "disclosure"


def announce(public_id: str, event_type: str, payload: dict[str, Any]) -> object:
    """One event for the item (event_type: published | withdrawn | taken_down); not committed here."""
    event = enqueue(TOPIC, public_id, event_type, payload)
    db.session.flush()  # written in the bureau being worked in, before the caller's scope ends
    return event
