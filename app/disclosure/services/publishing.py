"""Publishing, re-publishing, withdrawing and taking down: each audited, its exact text kept with its SHA-256,
and announced through the outbox in the same transaction."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus.context import SYSTEM, for_bureau, use
from app.calendar.services import WorkingDays
from app.clock import local_today, to_local, utcnow
from app.disclosure.models import DisclosureItem, DisclosureVersion
from app.disclosure.services import masking, push
from app.disclosure.services.drafts import officer_rows
from app.disclosure.services.kinds import DECISIONS, KIND_LABELS
from app.disclosure.services.settings import periods
from app.errors import N_, Conflict, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db

PUBLISHERS = frozenset({Role.LEGAL})
REVOKERS = frozenset({Role.LEGAL, Role.LEADER})


def require(actor: User, allowed: frozenset[Role], message: str = N_("只有法制科可以审核和发布公示信息。")) -> None:
    """The actor holds one of these roles in the owning bureau (the scope already limits rows to it)."""
    if not actor.role_set & allowed:
        raise PermissionDenied(message)


def get_item(item_id: int) -> DisclosureItem:
    """An item of the working bureau (another bureau's is not found: the scope hides it)."""
    item = db.session.get(DisclosureItem, item_id)
    if item is None:
        raise NotFound(N_("公示事项不存在。"))
    return item


def canonical_text(item: DisclosureItem) -> str:
    """Exactly what the portal shows as the item's content (title, publisher, text): what the hash covers."""
    return f"{item.title}\n{item.bureau.name if item.bureau else ''}\n{item.body}"


def sha256(text: str) -> str:
    """The SHA-256 of the text in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _day(moment: datetime | None) -> str | None:
    return to_local(moment).date().isoformat() if moment else None


def public_json(item: DisclosureItem) -> dict[str, Any]:
    """The item as the portal shows it (masked), for the feeds and the push."""
    shown = item.status == "published"
    return {"id": item.public_id, "url": f"/public/items/{item.public_id}", "kind": item.kind,
            "kind_label": KIND_LABELS.get(item.kind, item.kind), "year": item.year, "status": item.status,
            "bureau": item.bureau.name if item.bureau else "", "bureau_id": item.bureau_id,
            "title": item.title, "party": item.party, "number": item.doc_number,
            "text": item.body if shown else "", "fields": item.payload if shown else {},
            "version": item.version, "sha256": item.published_sha256,
            "published_on": _day(item.published_at), "updated_on": _day(item.updated_at),
            "withdrawn_on": _day(item.withdrawn_at), "withdraw_reason": item.withdraw_reason or None,
            "taken_down_on": _day(item.taken_down_at)}


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _version(item: DisclosureItem, actor: User | None, action: str, due: date | None) -> DisclosureVersion:
    text = canonical_text(item)
    row = DisclosureVersion(bureau_id=item.bureau_id, item_id=item.id, action=action, version=item.version,
                            text=text, sha256=sha256(text), due_on=due, late=due is not None and local_today() > due,
                            actor_id=actor.id if actor else None, at=utcnow())
    db.session.add(row)
    return row


def _check_text(item: DisclosureItem, title: str, body: str) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [N_("请填写标题。")]
    elif len(title.strip()) > 300:
        errors["title"] = [N_("标题不能超过 300 字。")]
    if item.kind != "officer_list" and not body.strip():
        errors["body"] = [N_("请填写公示正文。")]
    if masking.has_id_number(title) or masking.has_id_number(body):
        errors.setdefault("body", []).append(N_("公示文本含有身份证号码：身份证号码一律不予公开，请删除后再发布。"))
    if errors:
        raise ValidationFailed(errors)


def save_text(actor: User, item: DisclosureItem, title: str, body: str) -> DisclosureItem:
    """The legal section edits a draft (or a published item before re-publishing it); audited."""
    require(actor, PUBLISHERS)
    if item.status not in ("draft", "published"):
        raise Conflict(N_("已撤回、撤下或作废的公示信息不能再修改。"))
    _check_text(item, title, body)
    item.title, item.body = title.strip(), body.strip()
    db.session.flush()
    record_event("disclosure.edited", actor=actor, object_type="disclosure", object_id=item.id,
                 details={"public_id": item.public_id, "title": item.title})
    return item


def _officer_snapshot(item: DisclosureItem) -> None:
    rows = officer_rows(item.bureau_id)
    item.payload = {"officers": rows}
    item.body = "\n".join(f"{r['name']}｜{r['unit']}｜{r['certificate_no']}｜{r['category']}｜{r['region']}"
                          for r in rows)


def publish(actor: User, item: DisclosureItem, title: str, body: str) -> DisclosureItem:
    """Publish a reviewed draft, or re-publish an updated item: the exact text and its hash kept, audited, announced.
    Late when the working-day deadline has passed (recorded, shown on the dashboard)."""
    require(actor, PUBLISHERS)
    if item.status not in ("draft", "published"):
        raise Conflict(N_("已撤回、撤下或作废的公示信息不能发布。"))
    if item.kind == "officer_list":
        _officer_snapshot(item)
        body = item.body
    _check_text(item, title, body)
    item.title, item.body = title.strip(), body.strip()
    first = item.status == "draft"
    due = item.due_on if first else item.pending_due_on
    item.version += 1
    now = utcnow()
    if first:
        item.published_at = now
        keep = periods().keep_years_person if item.natural_person else periods().keep_years
        item.take_down_on = _add_years(local_today(), keep)
    else:
        item.updated_at = now
    item.status, item.pending_due_on, item.on_portal = "published", None, True
    version = _version(item, actor, "published", due)
    item.published_sha256 = version.sha256
    db.session.flush()
    record_event("disclosure.published" if first else "disclosure.republished", actor=actor,
                 object_type="disclosure", object_id=item.id,
                 details={"public_id": item.public_id, "kind": item.kind, "version": item.version,
                          "sha256": version.sha256, "due_on": due.isoformat() if due else None, "late": version.late,
                          "take_down_on": item.take_down_on.isoformat() if item.take_down_on else None})
    push.announce(item.public_id, "published", public_json(item))
    return item


def revoke_decision(actor: User, case_id: int, reason: str) -> list[DisclosureItem]:
    """The case's decision was changed or revoked (legal section or leader, with a reason; audited on the case):
    its published items must be withdrawn within the set working days; an unpublished draft is cancelled."""
    require(actor, REVOKERS, N_("只有法制科或局领导可以登记决定的变更或撤销。"))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [N_("请填写决定变更或撤销的原因（将向社会公开）。")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [N_("原因不能超过 500 字。")]})
    items = list(db.session.scalars(select(DisclosureItem).where(DisclosureItem.case_id == case_id,
                                                                 DisclosureItem.kind.in_(DECISIONS))))
    live = [i for i in items if i.status in ("draft", "published") and i.withdraw_due_on is None]
    if not live:
        raise Conflict(N_("此案件没有待公示或已公示的决定。"))
    due = WorkingDays().add_working_days(local_today(), periods().withdraw_days)
    for item in live:
        if item.status == "draft":
            item.status = "cancelled"
        else:
            item.withdraw_due_on = due
        item.withdraw_reason = reason
    db.session.flush()
    record_event("case.decision_revoked", actor=actor, object_type="case", object_id=case_id,
                 details={"reason": reason, "items": [i.public_id for i in live],
                          "withdraw_due_on": due.isoformat()})
    return live


def withdraw(actor: User, item: DisclosureItem, reason: str) -> DisclosureItem:
    """Withdraw a published item; the reason is shown publicly (the text is no longer). Audited, announced."""
    require(actor, PUBLISHERS)
    if item.status != "published":
        raise Conflict(N_("只有已公示的信息可以撤回。"))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [N_("请填写撤回原因（将向社会公开）。")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [N_("原因不能超过 500 字。")]})
    due = item.withdraw_due_on
    item.status, item.withdrawn_at, item.withdraw_reason = "withdrawn", utcnow(), reason
    item.pending_due_on = None
    version = _version(item, actor, "withdrawn", due)
    db.session.flush()
    record_event("disclosure.withdrawn", actor=actor, object_type="disclosure", object_id=item.id,
                 details={"public_id": item.public_id, "reason": reason, "due_on": due.isoformat() if due else None,
                          "late": version.late, "sha256": version.sha256})
    push.announce(item.public_id, "withdrawn", public_json(item))
    return item


def take_down(actor: User | None, item: DisclosureItem) -> DisclosureItem:
    """The keeping period ended: the item leaves the portal (its stable address says so); audited, announced."""
    if item.status not in ("published", "withdrawn"):
        raise Conflict(N_("只有公示中的信息可以撤下。"))
    item.status, item.taken_down_at, item.pending_due_on, item.on_portal = "taken_down", utcnow(), None, False
    _version(item, actor, "taken_down", None)
    db.session.flush()
    record_event("disclosure.taken_down", actor=actor, object_type="disclosure", object_id=item.id,
                 details={"public_id": item.public_id, "take_down_on": item.take_down_on.isoformat()
                          if item.take_down_on else None})
    push.announce(item.public_id, "taken_down", public_json(item))
    return item


def take_down_due(limit: int = 200) -> int:
    """The timer job: every item whose keeping period ended comes down, each in its own bureau and transaction."""
    today = local_today()
    with use(SYSTEM):
        due = list(db.session.execute(select(DisclosureItem.id, DisclosureItem.bureau_id).where(
            DisclosureItem.status.in_(("published", "withdrawn")), DisclosureItem.take_down_on <= today)
            .order_by(DisclosureItem.take_down_on, DisclosureItem.id).limit(limit)))
    done = 0
    for item_id, bureau_id in due:
        with use(for_bureau(bureau_id)):
            item = db.session.get(DisclosureItem, item_id)
            if item is not None and item.status in ("published", "withdrawn"):
                take_down(None, item)
                done += 1
            db.session.commit()
    return done
