"""`enqueue`: one row in the caller's transaction, numbered per item, bureau-owned, nothing committed by itself."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.bureaus import context
from app.demo.services import CITY_BUREAU_ID
from app.extensions import db
from app.outbox.models import OutboxEvent
from app.outbox.services import enqueue


def test_enqueue_numbers_each_item_and_keeps_the_payload() -> None:
    first = enqueue("disclosure", "decision:1", "published", {"title": "行政处罚决定书", "text": "张*"})
    second = enqueue("disclosure", "decision:1", "withdrawn", {"reason": "决定已撤销"})
    other = enqueue("disclosure", "decision:2", "published", {"title": "另一事项"})
    db.session.flush()
    assert (first.seq, second.seq, other.seq) == (1, 2, 1)
    assert uuid.UUID(first.event_id).version == 4 and first.event_id != second.event_id
    assert first.bureau_id == CITY_BUREAU_ID and first.status == "pending" and first.attempts == 0
    row = db.session.scalar(select(OutboxEvent).where(OutboxEvent.id == second.id))
    assert row is not None and row.payload == {"reason": "决定已撤销"} and row.event_type == "withdrawn"


def test_enqueue_does_not_commit_a_rolled_back_transaction() -> None:
    savepoint = db.session.begin_nested()
    enqueue("disclosure", "decision:9", "published", {"title": "x"})
    savepoint.rollback()
    assert db.session.scalar(select(OutboxEvent).where(OutboxEvent.item_key == "decision:9")) is None
    again = enqueue("disclosure", "decision:9", "published", {"title": "x"})
    db.session.flush()
    assert again.seq == 1  # the counter rolled back with the event


def test_enqueue_refuses_outside_a_writable_scope() -> None:
    import pytest

    from app.errors import PermissionDenied

    with context.use(context.NOTHING), pytest.raises(PermissionDenied):
        enqueue("disclosure", "decision:3", "published", {})


def test_enqueue_names_the_bad_argument() -> None:
    import pytest

    from app.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        enqueue("disclosure", "", "published", {})
    assert "item_key" in caught.value.errors and "事项标识" in caught.value.message
