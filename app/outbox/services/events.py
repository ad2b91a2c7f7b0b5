"""Writing events: each gets a UUID (the receiver's idempotency key) and the next number of its item."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.bureaus.context import write_bureau_id
from app.clock import utcnow
from app.errors import N_, ValidationFailed
from app.extensions import db
from app.outbox.models import OutboxEvent, OutboxItemCounter


def enqueue(topic: str, item_key: str, event_type: str, payload: dict[str, Any]) -> OutboxEvent:
    """Add one event to the current session without committing: the caller's transaction commits it together
    with the change it reports, or rolls both back.

    The item's sequence number comes from its counter row, created if missing and incremented in this
    transaction: on PostgreSQL the row stays locked until the caller commits, so concurrent writers of the same
    item queue up and number 1, 2, 3… without gaps or duplicates; on SQLite the single writer does the same.
    """
    checks = (("topic", bool(topic) and len(topic) <= 40, N_("推送事件的主题不能为空且不超过 40 个字符。")),
              ("item_key", bool(item_key) and len(item_key) <= 200,
               N_("推送事件的事项标识不能为空且不超过 200 个字符。")),
              ("event_type", bool(event_type) and len(event_type) <= 40,
               N_("推送事件的类型不能为空且不超过 40 个字符。")),
              ("payload", isinstance(payload, dict), N_("推送事件的内容必须是 JSON 对象。")))
    for name, ok, message in checks:
        if not ok:
            raise ValidationFailed({name: [message]}, message)
    bureau_id = write_bureau_id()
    session = db.session
    # The counter is not bureau-owned (item keys are unique across bureaus): plain Core statements on the
    # session's connection, in its transaction, without the ORM's per-statement scoping work.
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(insert(OutboxItemCounter.__table__).values(topic=topic, item_key=item_key, last_seq=0)
                       .on_conflict_do_nothing(index_elements=["topic", "item_key"]))
    counters = OutboxItemCounter.__table__.c
    seq = connection.execute(
        update(OutboxItemCounter.__table__)
        .where(counters.topic == topic, counters.item_key == item_key)
        .values(last_seq=counters.last_seq + 1)
        .returning(counters.last_seq)
    ).scalar_one()
    now = utcnow()
    event = OutboxEvent(event_id=str(uuid.uuid4()), topic=topic, item_key=item_key, seq=seq,
                        event_type=event_type, payload=payload, created_at=now, status="pending", attempts=0,
                        next_attempt_at=now, bureau_id=bureau_id)
    session.add(event)
    return event
