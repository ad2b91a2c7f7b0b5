"""Writing and verifying the audit log. `record_event` is the only writer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text

from app.audit.models import GENESIS_HASH, AuditEvent
from app.auth.models import User
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
        object_id=object_key, details=clean, prev_hash=prev,
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
    rows = []
    for entry in entries:
        clean = _canonical_details(entry.get("details"))
        object_key = None if entry.get("object_id") is None else str(entry["object_id"])
        digest = compute_hash(prev_hash=prev, occurred_at=occurred_at, actor_id=actor_id, action=entry["action"],
                              object_type=entry["object_type"], object_id=object_key, details=clean)
        rows.append({"occurred_at": occurred_at, "actor_id": actor_id, "action": entry["action"],
                     "object_type": entry["object_type"], "object_id": object_key, "details": clean,
                     "prev_hash": prev, "hash": digest})
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


@dataclass
class EventFilter:
    """What the audit pages filter by: a date range (UTC bounds), a person, a case, an action, an object."""

    start: datetime | None = None
    end: datetime | None = None
    actor_id: int | None = None
    case_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None

    def query(self) -> Any:
        """The SELECT of the matching events (unordered)."""
        query = select(AuditEvent)
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.case_id:
            query = query.where(AuditEvent.object_type == "case", AuditEvent.object_id == str(self.case_id))
        else:
            if self.object_type:
                query = query.where(AuditEvent.object_type == self.object_type)
            if self.object_id:
                query = query.where(AuditEvent.object_id == self.object_id)
        if self.actor_id:
            query = query.where(AuditEvent.actor_id == self.actor_id)
        if self.start:
            query = query.where(AuditEvent.occurred_at >= self.start)
        if self.end:
            query = query.where(AuditEvent.occurred_at < self.end)
        return query


def search_events(where: EventFilter, *, page: int, per_page: int) -> tuple[list[AuditEvent], int]:
    """Newest first, filtered; returns (events, total)."""
    query = where.query()
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(events), total


def list_events(*, page: int, per_page: int, action: str | None = None, object_type: str | None = None,
                object_id: str | None = None, actor_id: int | None = None) -> tuple[list[AuditEvent], int]:
    """Newest first, filtered; returns (events, total)."""
    return search_events(EventFilter(action=action, object_type=object_type, object_id=object_id,
                                     actor_id=actor_id), page=page, per_page=per_page)


def iter_events(where: EventFilter, limit: int) -> list[AuditEvent]:
    """Matching events, oldest first, at most `limit` (for export)."""
    return list(db.session.scalars(where.query().order_by(AuditEvent.id).limit(limit)))


def recorded_actions() -> list[str]:
    """Every action that occurs in the log (for the filter list)."""
    return sorted(db.session.scalars(select(AuditEvent.action).distinct()))


def recorded_actors() -> list[User]:
    """Every user who appears in the log as an actor, by name (for the filter list)."""
    ids = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.full_name)))
