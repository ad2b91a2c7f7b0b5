"""Outbox benchmark (prints figures): queue 10,000 disclosure events, then drain them to a real HTTP receiver on
127.0.0.1 — once answering 200 at once, once failing, stalling past the timeout and answering slowly at random.

Target (issue 13): ≥ 200 events/s to a local receiver; 10,000 queued events drained without loss, each item's
events in order. Prints wall time, CPU time of this process (the receiver runs in it too) and SQL statements.
The receiver runs in this process (threads), so the CPU time includes its work too.
Run: .venv/bin/python benchmarks/outbox.py [--events 10000] [--per-item 4] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on sys.path and benchmarks/http.py would hide the standard `http`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

SECRET = "bench-outbox-secret-0123456789abcdef"


class Counter:
    """SQL statements executed on the engine."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args: object) -> None:
        self.count += 1


def queue(events: int, per_item: int, round_no: int) -> tuple[float, float]:
    """Enqueue `events` events (per_item per item, interleaved) in transactions of 500; returns wall and CPU s."""
    from app.extensions import db
    from app.outbox.services import enqueue

    items = max(1, events // per_item)
    started, cpu = time.perf_counter(), time.process_time()
    done = 0
    for n in range(per_item):
        for i in range(items):
            change = ("published", "updated", "withdrawn", "taken_down")[n % 4]
            enqueue("disclosure", f"r{round_no}:decision:{i}", change,
                    {"title": f"行政处罚决定书 示档罚〔2026〕{i}号", "summary": "当事人：张*；违法事实：……", "n": n})
            done += 1
            if done % 500 == 0:
                db.session.commit()
    db.session.commit()
    return time.perf_counter() - started, time.process_time() - cpu


def drain(url: str, policy, deadline: float = 900.0) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """Deliver until nothing is left; returns (wall seconds, CPU seconds, batches)."""
    from sqlalchemy import func, select

    from app.bureaus import context
    from app.extensions import db
    from app.outbox.models import OutboxEvent
    from app.outbox.services.delivery import Target, deliver_due

    target = Target(url, SECRET, timeout=0.5)
    wall, cpu = time.perf_counter(), time.process_time()
    batches = 0
    with context.use(context.SYSTEM):
        while time.perf_counter() - wall < deadline:
            batches += deliver_due("bench", lambda _b: target, policy, max_events=100_000).batches
            left = db.session.scalar(select(func.count()).select_from(OutboxEvent)
                                     .where(OutboxEvent.status != "delivered"))
            db.session.commit()
            if not left:
                break
            time.sleep(0.01)
    return time.perf_counter() - wall, time.process_time() - cpu, batches


def check(receiver, expected: set[str], per_item: int) -> str:  # type: ignore[no-untyped-def]
    """No loss, no event of an item before its predecessor."""
    acked = set(receiver.record.acked)
    lost = len(expected - acked)
    disorder = sum(1 for seqs in receiver.record.first_arrival_order().items()
                   if seqs[1] != sorted(seqs[1]))
    dupes = len(receiver.record.arrivals) - len({a[0] for a in receiver.record.arrivals})
    return (f"lost {lost}, items out of order {disorder}, repeated arrivals {dupes} "
            f"(received {len(receiver.record.arrivals)} POSTs for {len(expected)} events)")


def run(kind: str, events: int, per_item: int) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.outbox.models import OutboxEvent
    from app.outbox.services.delivery import Policy
    from benchmarks._setup import database, make_app
    from tests.outbox.receiver import Behaviour, Receiver

    with database(kind) as url:
        app = make_app(url)
        with app.app_context():
            counter = Counter(db.engine)
            scenarios = (("clean receiver (200 at once)", Behaviour()),
                         ("flaky receiver (10% 500, 0.5% stall 0.8 s > 0.5 s timeout, 5% slow 20 ms)",
                          Behaviour(fail=0.10, stall=0.005, slow=0.05, stall_seconds=0.8, slow_seconds=0.02)))
            for round_no, (label, behaviour) in enumerate(scenarios):
                before = counter.count
                seconds, cpu = queue(events, per_item, round_no)
                statements = counter.count - before
                print(f"[{kind}] queued {events} events ({events // per_item} items × {per_item}) in {seconds:.2f} s "
                      f"= {events / seconds:,.0f} events/s, CPU {cpu:.2f} s, "
                      f"{statements / events:.2f} SQL statements per event")
                expected = set(db.session.scalars(select(OutboxEvent.event_id)
                                                  .where(OutboxEvent.item_key.like(f"r{round_no}:%"))))
                db.session.commit()
                policy = Policy(max_attempts=1000, backoff_base=0.05, backoff_max=0.5, batch_size=200, parallel=16,
                                lease_seconds=60)
                with Receiver(SECRET, behaviour) as receiver:
                    before = counter.count
                    wall, cpu, batches = drain(receiver.url, policy)
                    statements = counter.count - before
                print(f"[{kind}] {label}: drained in {wall:.2f} s wall ({len(expected) / wall:,.0f} events/s), "
                      f"CPU {cpu:.2f} s, {batches} batches, {statements / len(expected):.2f} SQL statements per event")
                print(f"[{kind}]   {check(receiver, expected, per_item)}")
            db.session.remove()


def main() -> None:
    from benchmarks._setup import pg_available

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--per-item", type=int, default=4)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        if kind == "postgresql" and not pg_available():
            print("[postgresql] skipped: no server at BENCH_DATABASE_URL")
            continue
        run(kind, args.events, args.per_item)


if __name__ == "__main__":
    main()
