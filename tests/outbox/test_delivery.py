"""Delivery to a real receiver on 127.0.0.1 that fails, stalls past the timeout and answers slowly at random."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.bureaus import context
from app.extensions import db
from app.outbox.models import OutboxEvent
from app.outbox.services import enqueue
from app.outbox.services.delivery import Policy, Target, deliver_due, sign, verify
from tests.outbox.receiver import Behaviour, Receiver

SECRET = "test-outbox-secret-0123456789abcdef"
FAST = Policy(max_attempts=60, backoff_base=0.01, backoff_max=0.05, batch_size=25, parallel=8, lease_seconds=5)


def _queue(items: int, per_item: int) -> list[OutboxEvent]:
    events = []
    for n in range(per_item):  # interleaved, as publications of many items would be
        for i in range(items):
            events.append(enqueue("disclosure", f"decision:{i}", ("published", "updated", "withdrawn")[n % 3],
                                  {"title": f"处罚决定 {i}", "n": n}))
    db.session.commit()
    return events


def drain(target: Target, policy: Policy, worker: str = "test-worker", deadline: float = 60.0) -> int:
    """Run the worker until nothing is pending (or the deadline); returns the batches run."""
    stop = time.monotonic() + deadline
    batches = 0
    with context.use(context.SYSTEM):
        while time.monotonic() < stop:
            batches += deliver_due(worker, lambda _bureau: target, policy).batches
            left = db.session.scalar(select(func.count()).select_from(OutboxEvent)
                                     .where(OutboxEvent.status != "delivered"))
            db.session.commit()
            if not left:
                return batches
            time.sleep(0.02)
    raise AssertionError("the outbox did not drain")


def test_every_event_arrives_acknowledged_once_per_id_and_in_order_per_item() -> None:
    events = _queue(items=12, per_item=6)
    behaviour = Behaviour(fail=0.2, stall=0.08, slow=0.15, stall_seconds=0.5, slow_seconds=0.05)
    with Receiver(SECRET, behaviour) as receiver:
        drain(Target(receiver.url, SECRET, timeout=0.25), FAST)
    record = receiver.record
    ids = {e.event_id for e in events}
    assert record.bad_signatures == 0
    assert set(record.acked) == ids  # none lost
    assert {a[0] for a in record.arrivals} == ids
    for item, seqs in record.first_arrival_order().items():
        assert seqs == sorted(seqs) == list(range(1, 7)), item  # n+1 never before n was acknowledged
    retried = db.session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.attempts > 1))
    assert retried > 0  # the receiver really did fail some: the retries were exercised
    assert len(record.arrivals) > len(ids)
    statuses = set(db.session.scalars(select(OutboxEvent.status)))
    assert statuses == {"delivered"}


def test_an_item_waits_behind_its_failed_event_while_other_items_proceed() -> None:
    enqueue("disclosure", "decision:a", "published", {"title": "a1"})
    enqueue("disclosure", "decision:a", "withdrawn", {"title": "a2"})
    db.session.commit()
    policy = Policy(max_attempts=2, backoff_base=0.01, backoff_max=0.01, lease_seconds=5)
    with Receiver(SECRET, Behaviour(fail=1.0)) as receiver, context.use(context.SYSTEM):
        for _ in range(3):
            deliver_due("w", lambda _b: Target(receiver.url, SECRET, 1.0), policy)
            time.sleep(0.03)
    a1, a2 = db.session.scalars(select(OutboxEvent).where(OutboxEvent.item_key == "decision:a")
                                .order_by(OutboxEvent.seq)).all()
    assert (a1.status, a1.attempts, a1.last_status) == ("failed", 2, 500)
    assert "HTTP 500" in (a1.last_error or "")
    assert (a2.status, a2.attempts) == ("pending", 0)  # never sent before a1 is acknowledged
    assert {seq for _, _, seq in receiver.record.arrivals} == {1}


def test_a_receiver_that_is_down_leaves_the_event_pending_with_the_error() -> None:
    event = enqueue("disclosure", "decision:b", "published", {"title": "b"})
    db.session.commit()
    with context.use(context.SYSTEM):
        stats = deliver_due("w", lambda _b: Target("http://127.0.0.1:9/none", SECRET, 0.5),
                            Policy(backoff_base=60))
    db.session.refresh(event)
    assert stats.retried == 1 and event.status == "pending" and event.attempts == 1
    assert event.next_attempt_at > event.last_attempt_at and "refused" in (event.last_error or "").lower()


def test_signature_covers_timestamp_and_body() -> None:
    body = '{"id":"x","payload":{"title":"公示"}}'.encode()
    now = int(time.time())
    signature = sign(SECRET, str(now), body)
    assert verify(SECRET, str(now), body, signature)
    assert not verify(SECRET, str(now), body + b" ", signature)
    assert not verify("another-secret", str(now), body, signature)
    assert not verify(SECRET, str(now - 3600), body, sign(SECRET, str(now - 3600), body))


@pytest.mark.parametrize("attempts", [1, 3, 12])
def test_backoff_grows_exponentially_with_jitter_and_a_cap(attempts: int) -> None:
    policy = Policy(backoff_base=2, backoff_max=600)
    low, high = policy.pause(attempts, rand=lambda: 0.0), policy.pause(attempts, rand=lambda: 0.999999)
    raw = min(600, 2 * 2 ** (attempts - 1))
    assert low == pytest.approx(raw / 2) and high == pytest.approx(raw, rel=1e-5)


def test_a_run_stops_when_the_receiver_acknowledges_nothing() -> None:
    for i in range(3):
        enqueue("disclosure", f"decision:down{i}", "published", {"title": str(i)})
    db.session.commit()
    policy = Policy(batch_size=1, backoff_base=60, lease_seconds=5)
    with Receiver(SECRET, Behaviour(fail=1.0)) as receiver, context.use(context.SYSTEM):
        stats = deliver_due("w", lambda _b: Target(receiver.url, SECRET, 1.0), policy)
    assert (stats.claimed, stats.retried, stats.batches) == (1, 1, 1)  # the other two wait for the next poll
