"""Writing and verifying the audit log. `record_event` is the only writer."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, false, func, insert, or_, select, text, true
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.util import find_tables

from app.audit.models import GENESIS_HASH, AuditEvent
from app.auth.models import User
from app.bureaus.context import current
from app.bureaus.users import users_in_scope
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


# Appending to the chain means: lock the head, read it, insert linked events, commit. The lock must be held from
# the read until the commit (another writer reading the same head would fork the chain), so it is taken as late as
# possible: `record_event` only queues the event in the session; the queue is linked and inserted just before the
# transaction commits (or earlier, when something in the transaction reads the audit log). A submit therefore holds
# the database-wide append lock for the insert and the commit only, not while the engine runs, documents are
# rendered or pages are prepared. A rollback (or a rolled-back savepoint) drops what it queued.
_PENDING = "audit_pending"


def _pending(session: Session) -> list[tuple[AuditEvent, Any]]:
    return session.info.setdefault(_PENDING, [])


def flush_pending(session: Session | None = None) -> None:
    """Link and insert the queued events now (under the append lock, held until the transaction ends)."""
    session = session if session is not None else db.session()
    queued = session.info.get(_PENDING)
    if not queued:
        return
    session.info[_PENDING] = []
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
                          .execution_options(audit_head_read=True)) or GENESIS_HASH
    for record, _transaction in queued:
        record.prev_hash = prev
        record.hash = compute_hash(prev_hash=prev, occurred_at=record.occurred_at, actor_id=record.actor_id,
                                   action=record.action, object_type=record.object_type, object_id=record.object_id,
                                   details=record.details)
        prev = record.hash
        session.add(record)
        session.flush()  # one at a time: ids follow the chain


def _reads_audit(statement: Any) -> bool:
    return any(getattr(table, "name", "") == AuditEvent.__tablename__
               for table in find_tables(statement, check_columns=True, include_aliases=True, include_joins=True))


@sa_event.listens_for(Session, "do_orm_execute")
def _before_audit_read(state: ORMExecuteState) -> None:
    """A read of the audit log inside the transaction sees the events queued in it."""
    if (state.session.info.get(_PENDING) and not state.execution_options.get("audit_head_read")
            and _reads_audit(state.statement)):
        flush_pending(state.session)


@sa_event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    flush_pending(session)


@sa_event.listens_for(Session, "after_transaction_end")
def _after_transaction(session: Session, transaction: SessionTransaction) -> None:
    """The whole transaction is over: committed (the queue went in before) or rolled back (the queue is void)."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """Drop the events queued inside the savepoint (or transaction) that rolled back."""
    queued = session.info.get(_PENDING)
    if not queued:
        return

    def inside(transaction: Any) -> bool:
        while transaction is not None:
            if transaction is previous_transaction:
                return True
            transaction = transaction.parent
        return False

    session.info[_PENDING] = [(r, t) for r, t in queued if not inside(t)]


FIRST_BUREAU_ID = 1  # created by migration 0015 from the single-bureau configuration


def _event_bureau(actor: User | None) -> int | None:
    """The bureau an event belongs to: the one being written, else the actor's (e.g. a sign-in)."""
    scope = current()
    if scope.bureau_id is not None:
        return scope.bureau_id
    return actor.bureau_id if actor is not None else None


def record_event(action: str, *, actor: User | None, object_type: str, object_id: Any = None,
                 details: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event inside the caller's transaction: queued now, linked into the chain and inserted when the
    transaction commits (or when the transaction reads the audit log; `flush_pending` does it on demand)."""
    session = db.session()
    record = AuditEvent(
        occurred_at=utcnow(), actor_id=actor.id if actor is not None else None, action=action,
        object_type=object_type, object_id=None if object_id is None else str(object_id),
        details=_canonical_details(details), bureau_id=_event_bureau(actor),
    )
    _pending(session).append((record, session.get_nested_transaction() or session.get_transaction()))
    return record


def record_events(entries: list[dict[str, Any]], *, actor: User | None) -> int:
    """Append many events by one actor at once (imports): one chain-head read, one bulk insert, same transaction.

    Each entry has action, object_type, object_id and details.
    """
    if not entries:
        return 0
    flush_pending()  # events queued earlier in this transaction come first in the chain
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
        """The SELECT of the matching events (unordered), of the readable bureaus only."""
        query = select(AuditEvent)
        visible = current().visible
        if visible is not None:
            # Events from before bureaus existed (bureau_id empty) belong to the first bureau.
            query = query.where(or_(AuditEvent.bureau_id.in_(sorted(visible)),
                                    and_(AuditEvent.bureau_id.is_(None),
                                         true() if FIRST_BUREAU_ID in visible else false())))
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
    return list(db.session.scalars(users_in_scope(select(User).where(User.id.in_(ids)).order_by(User.full_name))))


# ---- anchoring the chain head outside the database ----

ANCHOR_FIELDS = ("created_at", "last_id", "head_hash", "count")


@dataclass(frozen=True)
class AnchorProblem:
    """An anchor the database no longer agrees with (or whose signature is wrong)."""

    anchor: str
    reason: str
    kind: str = ""  # signature | truncated | rewritten | removed
    event_id: int = 0


def _sign(key: str, body: dict[str, Any]) -> str:
    blob = json.dumps({k: body[k] for k in ANCHOR_FIELDS}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key.encode("utf-8"), blob.encode("utf-8"), hashlib.sha256).hexdigest()


def chain_head() -> tuple[int, str, int]:
    """(id of the last event, its hash, number of events) — what an anchor pins."""
    last = db.session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    count = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return (last.id, last.hash, count) if last else (0, GENESIS_HASH, 0)


def write_anchor(key: str, folder: str | Path) -> Path:
    """Sign the current chain head with the key (HMAC-SHA256) and write it as a checkpoint file in `folder`.

    The folder is meant to be copied off the server (or to a write-once store); the key never enters the
    database, so no one holding only the database can forge a checkpoint for a rewritten chain.
    """
    last_id, head_hash, count = chain_head()
    now = utcnow()
    body: dict[str, Any] = {"created_at": now.isoformat(timespec="seconds") + "Z", "last_id": last_id,
                            "head_hash": head_hash, "count": count}
    body["signature"] = _sign(key, body)
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"audit-anchor-{now:%Y%m%dT%H%M%S}-{last_id}.json"
    path.write_text(json.dumps(body, indent=1), encoding="utf-8")
    return path


def anchor_due(folder: str | Path, today: date) -> bool:
    """Whether no checkpoint has been written yet on this (UTC) day."""
    return not any(Path(folder).glob(f"audit-anchor-{today:%Y%m%d}T*.json"))


def verify_anchors(key: str, folder: str | Path) -> tuple[int, list[AnchorProblem]]:
    """Check the database against every checkpoint: same hash at the anchored id and no event lost before it.

    Detects truncation (the anchored event or earlier ones are gone) and a consistent rewrite (every hash
    recomputed: the anchored hash no longer matches), which the chain alone cannot.
    """
    problems: list[AnchorProblem] = []
    files = sorted(Path(folder).glob("audit-anchor-*.json"))
    for path in files:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            valid = hmac.compare_digest(str(body.get("signature", "")), _sign(key, body))
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            problems.append(AnchorProblem(path.name, "signature: the checkpoint was not signed with this key",
                                          "signature"))
            continue
        if body["last_id"] == 0:
            continue
        stored = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.id == body["last_id"]))
        if stored is None:
            problems.append(AnchorProblem(path.name, f"truncated: event {body['last_id']} is missing", "truncated",
                                          body["last_id"]))
            continue
        if stored != body["head_hash"]:
            problems.append(AnchorProblem(path.name, f"rewritten: event {body['last_id']} has another hash",
                                          "rewritten", body["last_id"]))
            continue
        count = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.id <= body["last_id"])) or 0
        if count != body["count"]:
            problems.append(AnchorProblem(path.name, f"removed: {body['count'] - count} events up to "
                                                     f"{body['last_id']} are missing", "removed", body["last_id"]))
    return len(files), problems


# ---- the database role the application runs as ----

def app_role_statements(role: str, database: str, password: str | None = None) -> list[str]:
    """SQL (run by the schema owner after each migration) giving `role` exactly what the app needs.

    Not a superuser, not the owner of anything: it can read and write the working tables, and only SELECT and
    INSERT the audit table, so it can neither edit events nor disable the append-only triggers
    (ALTER TABLE needs the owner, session_replication_role a superuser).
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError("role names: lower-case letters, digits and _")
    quoted_db = '"' + database.replace('"', '""') + '"'
    if password is not None and ("$" in password or "'" in password):
        raise ValueError("the password may not contain $ or '")
    login = "LOGIN" + (f" PASSWORD '{password}'" if password else "")
    attributes = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
    exists = f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'"  # noqa: S608 - role matched a strict pattern
    return [
        f"DO $$ BEGIN IF NOT EXISTS ({exists}) THEN CREATE ROLE {role} {login} {attributes}; END IF; END $$",
        f"ALTER ROLE {role} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        f"GRANT CONNECT ON DATABASE {quoted_db} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE ALL ON audit_event FROM {role}",
        f"GRANT SELECT, INSERT ON audit_event TO {role}",
        f"REVOKE ALL ON alembic_version FROM {role}",
        f"GRANT SELECT ON alembic_version TO {role}",
    ]
