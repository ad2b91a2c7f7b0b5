"""Delivering outbox events by signed HTTP POST, in order per item, safely with several workers.

A worker claims a batch of due events under a lease (`claimed_by`, `claimed_until`) in one short transaction:
PostgreSQL locks the candidates `FOR UPDATE SKIP LOCKED`, so two workers never claim the same rows; SQLite claims
with one `UPDATE … RETURNING` statement, which its single writer runs whole. Only the first undelivered event of
each item is ever a candidate, so an item's event n+1 is not sent before n was answered 2xx; different items go
in parallel. The POSTs run outside any transaction (a thread pool); the outcomes are written in a second short
transaction. A failure is retried after an exponential pause with jitter; after the configured number of
attempts the event is marked failed (the item waits) until someone redelivers it.

A lease that runs out (a worker died mid-batch) lets another worker send the event again: the receiver may see
an event id twice and must treat the id as its idempotency key; it never sees an item's events out of order.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, bindparam, exists, or_, select, update
from sqlalchemy.orm import aliased

from app.clock import utcnow
from app.extensions import db
from app.outbox.models import OutboxEvent

SIGNATURE_HEADER = "X-Outbox-Signature"
EVENT_HEADER = "X-Outbox-Event-Id"
TIMESTAMP_HEADER = "X-Outbox-Timestamp"
ERROR_LIMIT = 500  # characters of an error kept on the event


@dataclass(frozen=True)
class Target:
    """Where and how to POST: the receiver's URL, the shared HMAC secret, seconds allowed per request."""

    url: str
    secret: str
    timeout: float = 10.0


@dataclass(frozen=True)
class Policy:
    """Retries: attempts before an event is marked failed, and the exponential pause (seconds) between them."""

    max_attempts: int = 12
    backoff_base: float = 2.0
    backoff_max: float = 3600.0
    batch_size: int = 100
    parallel: int = 8
    lease_seconds: float = 60.0  # longer than a batch can take (the POSTs run in parallel, each ≤ the timeout)

    def pause(self, attempts: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds before the next try after `attempts` failures: base·2^(n−1), capped, times 0.5–1.0 (jitter)."""
        raw = min(self.backoff_max, self.backoff_base * (2 ** max(0, attempts - 1)))
        return raw * (0.5 + rand() / 2)


@dataclass(frozen=True)
class Outcome:
    """What one POST got: acknowledged (2xx) or not, the HTTP status if any, the error text if any."""

    ok: bool
    status: int | None = None
    error: str | None = None


@dataclass
class RunStats:
    """What one `deliver_due` run did."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # no target configured for the event's bureau: left pending
    batches: int = 0
    claims: list[list[int]] = field(default_factory=list)  # the ids of each claimed batch (for tests)


def body_of(event: OutboxEvent) -> bytes:
    """The JSON body POSTed for an event (UTF-8, keys sorted: the bytes the signature covers)."""
    document = {
        "id": event.event_id,
        "topic": event.topic,
        "item_key": event.item_key,
        "seq": event.seq,
        "type": event.event_type,
        "created_at": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "bureau_id": event.bureau_id,
        "payload": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 over `timestamp + "." + body` with the shared secret."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, max_age: float = 300.0,
           now: float | None = None) -> bool:
    """The receiver's check (also documented for the city platform): right signature, timestamp not stale."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= max_age and hmac.compare_digest(sign(secret, timestamp, body), signature)


_local = threading.local()  # each delivery thread keeps its own keep-alive connection per receiver
_RETRY_ON_FRESH = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                   http.client.CannotSendRequest)


def _connection(scheme: str, host: str, port: int | None, timeout: float) -> http.client.HTTPConnection:
    connections: dict[tuple[str, str, int | None], http.client.HTTPConnection] = \
        _local.__dict__.setdefault("connections", {})
    key = (scheme, host, port)
    connection = connections.get(key)
    if connection is None:
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=timeout,
                                                     context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connections[key] = connection
    connection.timeout = timeout
    if connection.sock is not None:
        connection.sock.settimeout(timeout)
    return connection


def _drop(scheme: str, host: str, port: int | None) -> None:
    connection = _local.__dict__.get("connections", {}).pop((scheme, host, port), None)
    if connection is not None:
        connection.close()


def post(target: Target, event_id: str, body: bytes) -> Outcome:
    """POST one event; 2xx is an acknowledgement, anything else (status, timeout, refused) an error.

    The connection is kept alive for the next event of this thread; a kept connection the receiver closed
    meanwhile is replaced once (the receiver dedups by event id, so a resend is harmless)."""
    parts = urlsplit(target.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(False, None, "the push address must start with http:// or https://")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", EVENT_HEADER: event_id,
               TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(target.secret, timestamp, body),
               "User-Agent": "archives-outbox/1"}
    key = (parts.scheme, parts.hostname, parts.port)
    for fresh in (False, True):
        connection = _connection(*key, target.timeout)
        reused = connection.sock is not None
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            detail = response.read(65536)
            status = response.status
            if response.will_close or not response.isclosed():
                _drop(*key)  # told to close, or an answer too long to read whole: start afresh next time
            break
        except TimeoutError:
            _drop(*key)
            return Outcome(False, None, f"timeout after {target.timeout:g} s")
        except _RETRY_ON_FRESH as exc:
            _drop(*key)
            if reused and not fresh:
                continue
            return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
        except (http.client.HTTPException, OSError, ValueError) as exc:
            _drop(*key)
            return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
    if 200 <= status < 300:
        return Outcome(True, status)
    text = detail[:300].decode("utf-8", "replace")
    return Outcome(False, status, f"HTTP {status} {response.reason}: {text}"[:ERROR_LIMIT])


def _due(now: datetime) -> Any:
    """Candidates: pending, due, not under someone's lease, and the first undelivered event of their item."""
    earlier = aliased(OutboxEvent)
    blocked = exists().where(earlier.topic == OutboxEvent.topic, earlier.item_key == OutboxEvent.item_key,
                             earlier.seq < OutboxEvent.seq, earlier.status != "delivered")
    return (select(OutboxEvent.id)
            .where(OutboxEvent.status == "pending", OutboxEvent.next_attempt_at <= now,
                   or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now), ~blocked)
            .order_by(OutboxEvent.id))


def claim(worker: str, limit: int, lease: timedelta, now: datetime | None = None) -> list[int]:
    """Claim up to `limit` due events for this worker and commit; returns their ids (oldest first)."""
    now = now or utcnow()
    session = db.session
    values = {"claimed_by": worker, "claimed_until": now + lease}
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(_due(now).limit(limit).with_for_update(skip_locked=True, of=OutboxEvent)))
        if ids:
            session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(**values)
                            .execution_options(synchronize_session=False))
    else:  # one statement: SQLite's single writer runs the choice and the claim together
        chosen = _due(now).limit(limit).scalar_subquery()
        ids = sorted(session.scalars(update(OutboxEvent).where(OutboxEvent.id.in_(chosen)).values(**values)
                                     .returning(OutboxEvent.id).execution_options(synchronize_session=False)))
    session.commit()
    return ids


@dataclass(frozen=True)
class _Claimed:
    """What the worker needs of a claimed event once its read transaction is over."""

    id: int
    event_id: str
    bureau_id: int
    attempts: int
    body: bytes


def _record(worker: str, events: list[_Claimed], outcomes: list[Outcome], policy: Policy,
            stats: RunStats) -> None:
    """Write the outcomes of one batch (one transaction). A failure only touches an event still ours and pending,
    so a late answer never undoes another worker's delivery."""
    now = utcnow()
    table = OutboxEvent.__table__
    delivered: list[dict[str, Any]] = []
    retries: list[dict[str, Any]] = []
    for event, outcome in zip(events, outcomes, strict=True):
        attempts = event.attempts + 1
        if outcome.ok:
            delivered.append({"b_id": event.id, "b_attempts": attempts, "b_status": outcome.status})
            continue
        gave_up = attempts >= policy.max_attempts
        stats.failed += gave_up
        stats.retried += not gave_up
        retries.append({"b_id": event.id, "b_worker": worker, "b_attempts": attempts, "b_status": outcome.status,
                        "b_error": outcome.error, "b_state": "failed" if gave_up else "pending",
                        "b_next": now + timedelta(seconds=policy.pause(attempts))})
    if delivered:
        db.session.execute(
            update(table).where(table.c.id == bindparam("b_id"), table.c.status != "delivered")
            .values(status="delivered", delivered_at=now, last_attempt_at=now, attempts=bindparam("b_attempts"),
                    last_status=bindparam("b_status"), last_error=None, claimed_by=None, claimed_until=None),
            delivered)
        stats.delivered += len(delivered)
    if retries:
        db.session.execute(
            update(table).where(and_(table.c.id == bindparam("b_id"), table.c.status == "pending",
                                     table.c.claimed_by == bindparam("b_worker")))
            .values(status=bindparam("b_state"), attempts=bindparam("b_attempts"), last_attempt_at=now,
                    last_status=bindparam("b_status"), last_error=bindparam("b_error"),
                    next_attempt_at=bindparam("b_next"), claimed_by=None, claimed_until=None),
            retries)
    db.session.commit()


def _release(worker: str, ids: list[int]) -> None:
    """Give back events this run will not send (no target for their bureau): they wait, unchanged."""
    db.session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids), OutboxEvent.claimed_by == worker)
                       .values(claimed_by=None, claimed_until=None).execution_options(synchronize_session=False))
    db.session.commit()


def deliver_batch(worker: str, target_for: Callable[[int], Target | None], policy: Policy,
                  pool: ThreadPoolExecutor, stats: RunStats) -> int:
    """Claim one batch, POST it in parallel, record the outcomes; returns how many events were sent."""
    ids = claim(worker, policy.batch_size, timedelta(seconds=policy.lease_seconds))
    if not ids:
        return 0
    stats.batches += 1
    stats.claimed += len(ids)
    stats.claims.append(ids)
    events = [_Claimed(e.id, e.event_id, e.bureau_id, e.attempts, body_of(e)) for e in db.session.scalars(
        select(OutboxEvent).where(OutboxEvent.id.in_(ids)).order_by(OutboxEvent.id))]
    db.session.commit()  # end the read transaction: nothing stays open while we wait on the network
    sendable: list[tuple[_Claimed, Target]] = []
    unsent: list[int] = []
    for event in events:
        target = target_for(event.bureau_id)
        if target is None:
            unsent.append(event.id)
        else:
            sendable.append((event, target))
    if unsent:
        stats.skipped += len(unsent)
        _release(worker, unsent)
    futures = [pool.submit(post, target, event.event_id, event.body) for event, target in sendable]
    outcomes = [future.result() for future in futures]
    if sendable:
        _record(worker, [event for event, _ in sendable], outcomes, policy, stats)
    return len(sendable)


def deliver_due(worker: str, target_for: Callable[[int], Target | None], policy: Policy | None = None,
                max_events: int = 10_000, max_seconds: float | None = None) -> RunStats:
    """Deliver what is due now, batch after batch, until nothing is due, `max_events` were claimed or
    `max_seconds` passed. A batch in which nothing was acknowledged ends the run (the receiver looks down: its
    events wait for their back-off, and the timer worker that called us goes back to its timers).

    Runs in the SYSTEM bureau scope (the caller sets it): the outbox serves every bureau."""
    policy = policy or Policy()
    stats = RunStats()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=policy.parallel, thread_name_prefix="outbox") as pool:
        while stats.claimed < max_events:
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                break
            delivered = stats.delivered
            if not deliver_batch(worker, target_for, policy, pool, stats) or stats.delivered == delivered:
                break
    return stats
