"""Document numbers under concurrency on PostgreSQL: never duplicated, never skipped, rollbacks give numbers back."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.bureaus import context
from app.demo.services import CITY_BUREAU_ID
from app.documents.models import DocumentCounter
from app.documents.services.numbers import next_seq
from app.extensions import db

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def db_session(app):
    """Real, separate, committing connections (no shared rolled-back transaction)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL")
    with context.use(context.for_bureau(CITY_BUREAU_ID)):  # as the first bureau's requests and jobs do
        yield None


def test_parallel_transactions_take_distinct_contiguous_numbers(app):
    taken: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker(rollback_every: int) -> None:
        # A thread starts with no bureau scope (context variables do not cross threads): work as the city bureau.
        with app.app_context(), context.use(context.for_bureau(CITY_BUREAU_ID)):
            barrier.wait()
            for i in range(15):
                seq = next_seq("concurrency_test", 2099)
                if rollback_every and i % rollback_every == 0:
                    db.session.rollback()  # the number goes back: nobody may see a gap
                    continue
                db.session.commit()
                with lock:
                    taken.append(seq)
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(k,)) for k in (0, 0, 3, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(taken) == len(set(taken))
    assert sorted(taken) == list(range(1, len(taken) + 1))
    with app.app_context():
        counter = db.session.scalar(select(DocumentCounter).where(DocumentCounter.doc_type == "concurrency_test"))
        assert counter.last_seq == len(taken)
        db.session.remove()
