"""Drafts made by the procedures themselves, in the transaction of the step that causes them:
a decision served (送达) → a decision draft; an inspection result recorded → a result draft; a change of the officer
directory → a pending update of the bureau's 执法人员资格清单. Each gets its deadline in working days."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.audit.services import record_event
from app.auth.models import User
from app.bureaus.context import current
from app.calendar.services import WorkingDays
from app.clock import local_today
from app.directories.models import InspectionObject, InspectionResult, Officer
from app.disclosure.models import DisclosureItem
from app.disclosure.services import masking
from app.disclosure.services.kinds import DECISIONS, KIND_LABELS, MANUAL, OUTCOME_LABELS, TABS, deadline_setting
from app.disclosure.services.settings import periods
from app.documents.models import Document
from app.documents.services.bureau import get_bureau
from app.documents.services.chinese import date_text, money
from app.errors import N_, ValidationFailed
from app.extensions import db

DECISION_KINDS = {"fine": "penalty_decision", "no_penalty": "no_penalty_decision",
                  "sanction": "sanction_recommendation"}


def new_public_id(year: int) -> str:
    """A stable, unguessable public address for an item (year + 12 hex digits)."""
    return f"{year}-{secrets.token_hex(6)}"


def deadline(kind: str, start: date | None = None, bureau_id: int | None = None) -> date:
    """The publication deadline of this kind counted in the bureau's working days (its calendar knows 调休)."""
    days = getattr(periods(bureau_id), deadline_setting(kind))
    return WorkingDays().add_working_days(start or local_today(), days)


def _decision_document(case_id: int) -> Document | None:
    return db.session.scalars(select(Document).where(Document.case_id == case_id,
                                                     Document.doc_type.in_(DECISIONS), Document.trial.is_(False))
                              .order_by(Document.id.desc())).first()


def decision_text(data: dict[str, Any], number: str, authority: str) -> tuple[str, str, dict[str, Any], bool]:
    """(kind, body, fields, natural person) of a served decision, personal data of a natural person masked."""
    kind = DECISION_KINDS.get(str(data.get("decision_type")), "penalty_decision")
    natural = data.get("party_type") == "person"
    name = str(data.get("party_name") or "")
    address = str(data.get("party_address") or "")
    party = masking.mask_name(name) if natural else name
    if kind == "penalty_decision":
        outcome = f"罚款{money(data.get('fine_amount', 0))}"
    elif kind == "sanction_recommendation":  # the persons recommended for sanctions are not published
        outcome = f"向{data.get('appointing_authority', '')}提出对有关责任人员依法给予处分的建议"
    else:
        outcome = "不予行政处罚"
    fields = {
        "number": number, "party": party,
        "party_code": "" if natural else str(data.get("party_credit_code") or ""),
        "party_address": masking.mask_address(address) if natural else address,
        "facts": str(data.get("found_facts") or data.get("facts") or ""),
        "law": str(data.get("legal_basis") or ""), "basis": str(data.get("decision_basis") or ""),
        "outcome": outcome, "decided_on": date_text(data.get("decision_date")) if data.get("decision_date") else "",
        "authority": authority,
    }
    lines = [f"决定书文号：{fields['number']}", f"当事人：{fields['party']}"]
    if fields["party_code"]:
        lines.append(f"统一社会信用代码：{fields['party_code']}")
    if fields["party_address"]:
        lines.append(f"{'住址' if natural else '地址'}：{fields['party_address']}")
    lines += [f"主要违法事实：{fields['facts']}", f"违反的法律规定：{fields['law']}",
              f"决定依据：{fields['basis']}", f"决定内容：{fields['outcome']}",
              f"作出决定日期：{fields['decided_on']}", f"作出决定机关：{authority}"]
    body = "\n".join(lines)
    if natural:
        body = masking.mask_person_text(body, name, address)
        fields = {k: masking.mask_person_text(v, name, address) for k, v in fields.items()}
    else:
        body = masking.hide_numbers(body)
    return kind, body, fields, natural


def on_decision_served(actor: User | None, case_id: int, data: dict[str, Any]) -> DisclosureItem | None:
    """The case's decision was served: its disclosure draft with the deadline (penalty 7, others 20 working days).
    A second service of the same decision (e.g. after a failed one) keeps the first draft."""
    document = _decision_document(case_id)
    if document is None:
        return None
    existing = db.session.scalar(select(DisclosureItem).where(DisclosureItem.case_id == case_id,
                                                              DisclosureItem.doc_number == document.number))
    if existing is not None:
        return existing
    authority = get_bureau().full_name
    kind, body, fields, natural = decision_text(data, document.number, authority)
    year = document.year
    item = DisclosureItem(public_id=new_public_id(year), kind=kind, tab=TABS[kind], year=year, status="draft",
                          title=f"{KIND_LABELS[kind]}：{fields['party']}（{document.number}）", body=body,
                          payload=fields, party=fields["party"], natural_person=natural, doc_number=document.number,
                          case_id=case_id, created_by_id=actor.id if actor else None, due_on=deadline(kind))
    db.session.add(item)
    db.session.flush()
    record_event("disclosure.drafted", actor=actor, object_type="disclosure", object_id=item.id,
                 details={"public_id": item.public_id, "kind": kind, "case_id": case_id, "number": document.number,
                          "due_on": item.due_on.isoformat()})
    return item


def on_result_recorded(actor: User | None, result: InspectionResult) -> DisclosureItem:
    """An inspection result was recorded: its draft for 抽查结果 (20 working days); a later change updates it."""
    item = db.session.scalar(select(DisclosureItem).where(DisclosureItem.result_id == result.id))
    obj = db.session.get(InspectionObject, result.object_id)
    authority = get_bureau().full_name
    fields = {"object": obj.name if obj else "", "credit_code": obj.credit_code if obj else "",
              "district": obj.district if obj else "", "inspected_on": date_text(result.inspected_on),
              "outcome": OUTCOME_LABELS.get(result.outcome, result.outcome), "authority": authority,
              "note": masking.hide_numbers(result.note or "")}
    body = "\n".join([f"检查对象：{fields['object']}", f"统一社会信用代码：{fields['credit_code']}",
                      f"所在地区：{fields['district']}", f"检查日期：{fields['inspected_on']}",
                      f"检查结论：{fields['outcome']}", f"检查机关：{authority}"]
                     + ([f"说明：{fields['note']}"] if fields["note"] else []))
    title = f"抽查结果：{fields['object']}（{result.inspected_on.isoformat()}）"
    if item is None:
        item = DisclosureItem(public_id=new_public_id(result.inspected_on.year), kind="inspection_result",
                              tab="results", year=result.inspected_on.year, status="draft", result_id=result.id,
                              case_id=result.case_id, created_by_id=actor.id if actor else None,
                              due_on=deadline("inspection_result"))
        db.session.add(item)
    elif item.status == "published" and item.pending_due_on is None:
        item.pending_due_on = deadline("inspection_result")
    item.title, item.body, item.payload, item.party = title, body, fields, fields["object"]
    db.session.flush()
    record_event("disclosure.drafted", actor=actor, object_type="disclosure", object_id=item.id,
                 details={"public_id": item.public_id, "kind": "inspection_result", "result_id": result.id,
                          "due_on": (item.pending_due_on or item.due_on).isoformat()})
    return item


def create_manual(actor: User, kind: str, year: str, title: str, body: str) -> DisclosureItem:
    """A plan the legal section writes (年度抽查计划, 实施方案): a draft due in 20 working days."""
    errors: dict[str, list[str]] = {}
    if kind not in MANUAL:
        errors["kind"] = [N_("请选择公示类别。")]
    if not year.strip().isdigit() or not 2000 <= int(year) <= 2100:
        errors["year"] = [N_("年度须为四位数字的年份。")]
    if not title.strip():
        errors["title"] = [N_("请填写标题。")]
    elif len(title.strip()) > 300:
        errors["title"] = [N_("标题不能超过 300 字。")]
    if not body.strip():
        errors["body"] = [N_("请填写公示正文。")]
    if errors:
        raise ValidationFailed(errors)
    item = DisclosureItem(public_id=new_public_id(int(year)), kind=kind, tab="plans", year=int(year), status="draft",
                          title=title.strip(), body=masking.hide_numbers(body.strip()), payload={},
                          created_by_id=actor.id, due_on=deadline(kind))
    db.session.add(item)
    db.session.flush()
    record_event("disclosure.drafted", actor=actor, object_type="disclosure", object_id=item.id,
                 details={"public_id": item.public_id, "kind": kind, "due_on": item.due_on.isoformat()})
    return item


def officer_rows(bureau_id: int) -> list[dict[str, str]]:
    """The officer list as the portal shows it: name, unit, certificate number, category, region (active and
    certified; nothing else about the person)."""
    rows = db.session.scalars(select(Officer).where(Officer.bureau_id == bureau_id, Officer.active.is_(True),
                                                    Officer.certificate_valid_until >= local_today())
                              .order_by(Officer.certificate_no))
    return [{"name": o.name, "unit": o.unit, "certificate_no": o.certificate_no, "category": o.category,
             "region": o.region, "valid_until": o.certificate_valid_until.isoformat()} for o in rows]


def _note_officer_changes(session: Session, _context: Any, _instances: Any) -> None:
    """before_flush: a new, changed or removed officer opens (or keeps) the pending update of its bureau's list."""
    bureaus = {o.bureau_id or current().bureau_id for o in [*session.new, *session.dirty, *session.deleted]
               if isinstance(o, Officer) and (o in session.new or o in session.deleted or session.is_modified(o))}
    bureaus.discard(None)
    if not bureaus:
        return
    with session.no_autoflush:
        for bureau_id in bureaus:
            item = session.scalar(select(DisclosureItem).where(DisclosureItem.bureau_id == bureau_id,
                                                               DisclosureItem.kind == "officer_list"))
            if item is None:
                session.add(DisclosureItem(
                    bureau_id=bureau_id, public_id=f"officers-{bureau_id}", kind="officer_list", tab="lists",
                    year=local_today().year, status="draft", title="执法人员资格清单", body="", payload={},
                    due_on=deadline("officer_list", bureau_id=bureau_id)))
            elif item.status == "published" and item.pending_due_on is None:
                item.pending_due_on = deadline("officer_list", bureau_id=bureau_id)


_installed: list[bool] = []


def install() -> None:
    """Watch the officer directory on every session (once per process)."""
    if not _installed:
        event.listen(Session, "before_flush", _note_officer_changes)
        _installed.append(True)
