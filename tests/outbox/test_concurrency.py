"""Two delivery workers at once on PostgreSQL: their claims never overlap, every event arrives, each item in
order; concurrent writers of one item get contiguous sequence numbers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select

from app.bureaus import context
from app.demo.services import CITY_BUREAU_ID
from app.extensions import db
from app.outbox.models import OutboxEvent, OutboxItemCounter
from app.outbox.services import enqueue
from app.outbox.services.delivery import Policy, RunStats, Target, deliver_due
from tests.outbox.receiver import Behaviour, Receiver

pytestmark = pytest.mark.postgres_only
SECRET = "concurrency-outbox-secret-0123456789"


@pytest.fixture(autouse=True)
def db_session(app):
    """Real, separate, committing connections; the rows this module writes are removed afterwards."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL")
    yield None
    with app.app_context(), context.use(context.SYSTEM):
        db.session.execute(delete(OutboxEvent).where(OutboxEvent.item_key.like("conc:%")))
        db.session.execute(delete(OutboxItemCounter).where(OutboxItemCounter.item_key.like("conc:%")))
        db.session.commit()
        db.session.remove()


def test_two_workers_never_claim_the_same_event_and_deliver_everything_in_order(app) -> None:
    with app.app_context(), context.use(context.for_bureau(CITY_BUREAU_ID)):
        for n in range(5):
            for i in range(40):
                enqueue("disclosure", f"conc:{i}", "published", {"n": n})
        db.session.commit()
        expected = set(db.session.scalars(select(OutboxEvent.event_id).where(OutboxEvent.item_key.like("conc:%"))))
        db.session.remove()
    policy = Policy(max_attempts=100, backoff_base=0.01, backoff_max=0.05, batch_size=7, parallel=4,
                    lease_seconds=30)
    runs: dict[str, list[RunStats]] = {"w1": [], "w2": []}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    with Receiver(SECRET, Behaviour(fail=0.15, slow=0.2, slow_seconds=0.02)) as receiver:
        target = Target(receiver.url, SECRET, timeout=2.0)

        def worker(name: str) -> None:
            try:
                with app.app_context(), context.use(context.SYSTEM):  # the scope is per thread
                    barrier.wait()
                    for _ in range(400):
                        stats = deliver_due(name, lambda _b: target, policy, max_events=14)
                        runs[name].append(stats)
                        left = db.session.scalar(select(OutboxEvent.id).where(
                            OutboxEvent.item_key.like("conc:%"), OutboxEvent.status != "delivered").limit(1))
                        db.session.commit()
                        if left is None:
                            break
                    db.session.remove()
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(name,)) for name in runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert errors == []
    delivered_by = {name: sum(s.delivered for s in runs[name]) for name in runs}
    assert delivered_by["w1"] and delivered_by["w2"], "both workers took part"
    assert set(receiver.record.acked) == expected  # none lost
    # no event was claimed by both at once: each got exactly one acknowledged POST between the two workers
    assert sum(delivered_by.values()) == len(expected) == len(receiver.record.acked)
    for item, seqs in receiver.record.first_arrival_order().items():
        assert seqs == sorted(seqs) == list(range(1, 6)), item


def test_concurrent_claims_are_disjoint(app) -> None:
    with app.app_context(), context.use(context.for_bureau(CITY_BUREAU_ID)):
        for i in range(120):
            enqueue("disclosure", f"conc:claim{i}", "published", {"i": i})
        db.session.commit()
        expected = set(db.session.scalars(select(OutboxEvent.id).where(OutboxEvent.item_key.like("conc:claim%"))))
        db.session.remove()
    taken: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    barrier = threading.Barrier(len(taken))

    def worker(name: str) -> None:
        from datetime import timedelta

        from app.outbox.services.delivery import claim

        with app.app_context(), context.use(context.SYSTEM):
            barrier.wait()
            while True:
                ids = claim(name, 5, timedelta(minutes=5))
                if not ids:
                    break
                taken[name].extend(ids)
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    everything = [i for ids in taken.values() for i in ids]
    assert sum(1 for ids in taken.values() if ids) >= 2, "the claims really ran side by side"
    assert len(everything) == len(set(everything))  # never one event in two workers' claims
    assert set(everything) == expected


def test_concurrent_writers_of_one_item_number_it_without_gaps(app) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(rollback_every: int) -> None:
        try:
            with app.app_context(), context.use(context.for_bureau(CITY_BUREAU_ID)):
                barrier.wait()
                for n in range(10):
                    enqueue("disclosure", "conc:shared", "updated", {"n": n})
                    if rollback_every and n % rollback_every == 0:
                        db.session.rollback()  # the number goes back with the transaction
                    else:
                        db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in (0, 0, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with app.app_context(), context.use(context.SYSTEM):
        seqs = list(db.session.scalars(select(OutboxEvent.seq).where(OutboxEvent.item_key == "conc:shared")
                                       .order_by(OutboxEvent.seq)))
        db.session.remove()
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 10 + 10 + 6 + 7
