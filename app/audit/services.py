"""Writing and verifying the audit log. `record_event` is the only writer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, insert, or_, select, text, true

from app.audit.models import GENESIS_HASH, AuditEvent
from app.auth.models import User
from app.bureaus.context import current
from app.clock import utcnow
from app.extensions import db


def _canonical_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """Details exactly as they will be stored and read back (dates and decimals become strings)."""
    return json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))


def compute_hash(*, prev_hash: str, occurred_at: datetime, actor_id: int | None, action: str,
                 object_type: str, object_id: str | None, details: dict[str, Any]) -> str:
    """SHA-256 over a canonical JSON rendering of the event and its predecessor's hash."""
    payload = {
        "prev": prev_hash,
        "at": occurred_at.isoformat(timespec="microseconds"),
        "actor": actor_id,
        "action": action,
        "type": object_type,
        "id": object_id,
        "details": details,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _lock_chain_head() -> None:
    """Serialise appends on PostgreSQL for the rest of the transaction (SQLite serialises writers itself)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))


FIRST_BUREAU_ID = 1  # created by migration 0015 from the single-bureau configuration


def _event_bureau(actor: User | None) -> int | None:
    """The bureau an event belongs to: the one being written, else the actor's (e.g. a sign-in)."""
    scope = current()
    if scope.bureau_id is not None:
        return scope.bureau_id
    return actor.bureau_id if actor is not None else None


def record_event(action: str, *, actor: User | None, object_type: str, object_id: Any = None,
                 details: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event inside the caller's transaction (flushed, not committed)."""
    _lock_chain_head()
    prev = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS_HASH
    occurred_at = utcnow()
    clean = _canonical_details(details)
    object_key = None if object_id is None else str(object_id)
    actor_id = actor.id if actor is not None else None
    event = AuditEvent(
        occurred_at=occurred_at, actor_id=actor_id, action=action, object_type=object_type,
        object_id=object_key, details=clean, prev_hash=prev, bureau_id=_event_bureau(actor),
        hash=compute_hash(prev_hash=prev, occurred_at=occurred_at, actor_id=actor_id, action=action,
                          object_type=object_type, object_id=object_key, details=clean),
    )
    db.session.add(event)
    db.session.flush()
    return event


def record_events(entries: list[dict[str, Any]], *, actor: User | None) -> int:
    """Append many events by one actor at once (imports): one chain-head read, one bulk insert, same transaction.

    Each entry has action, object_type, object_id and details.
    """
    if not entries:
        return 0
    _lock_chain_head()
    prev = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS_HASH
    occurred_at = utcnow()
    actor_id = actor.id if actor is not None else None
    bureau_id = _event_bureau(actor)
    rows = []
    for entry in entries:
        clean = _canonical_details(entry.get("details"))
        object_key = None if entry.get("object_id") is None else str(entry["object_id"])
        digest = compute_hash(prev_hash=prev, occurred_at=occurred_at, actor_id=actor_id, action=entry["action"],
                              object_type=entry["object_type"], object_id=object_key, details=clean)
        rows.append({"occurred_at": occurred_at, "actor_id": actor_id, "action": entry["action"],
                     "object_type": entry["object_type"], "object_id": object_key, "details": clean,
                     "prev_hash": prev, "hash": digest, "bureau_id": bureau_id})
        prev = digest
    # Executed in list order, so ids follow the chain.
    db.session.execute(insert(AuditEvent), rows)
    return len(rows)


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a chain verification."""

    checked: int
    broken_event_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when every event's hash and link checked out."""
        return self.broken_event_id is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in id order; report the first event whose content or link is wrong."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
            .execution_options(populate_existing=True)
        ).all()
        if not batch:
            return ChainReport(checked=checked)
        for event in batch:
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "link: previous hash does not match the event before it")
            recomputed = compute_hash(
                prev_hash=event.prev_hash, occurred_at=event.occurred_at, actor_id=event.actor_id,
                action=event.action, object_type=event.object_type, object_id=event.object_id,
                details=event.details,
            )
            if recomputed != event.hash:
                return ChainReport(checked, event.id, "content: stored hash does not match the event's data")
            expected_prev = event.hash
            checked += 1
            last_id = event.id


def list_events(*, page: int, per_page: int, action: str | None = None, object_type: str | None = None,
                object_id: str | None = None, actor_id: int | None = None) -> tuple[list[AuditEvent], int]:
    """Newest first, filtered; returns (events, total)."""
    query = select(AuditEvent)
    visible = current().visible
    if visible is not None:
        # Events from before bureaus existed (bureau_id empty) belong to the first bureau.
        query = query.where(or_(AuditEvent.bureau_id.in_(sorted(visible)),
                                and_(AuditEvent.bureau_id.is_(None),
                                     true() if FIRST_BUREAU_ID in visible else false())))
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(events), total
