"""Generating, storing and versioning documents inside the caller's transaction."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from sqlalchemy import func, select

from app.audit.services import record_event
from app.auth.models import User
from app.calendar.services import WorkingDays
from app.clock import local_today, utcnow
from app.documents.models import Document
from app.documents.services.bureau import get_bureau
from app.documents.services.context import DECISION_TYPES, Issue, enrich, issue_date
from app.documents.services.numbers import DOC_TYPES, format_number, next_seq
from app.documents.services.renderers import RENDERERS
from app.documents.services.requirements import missing, missing_keys
from app.errors import N_, DomainError, NotFound
from app.extensions import db


class DocumentIncomplete(DomainError):
    """A document would be issued with required fields blank."""


TRIAL_MARK = "（试用）"  # printed before a trial case's document number: never mistaken for a real one
TRIAL_COUNTER_PREFIX = "trial:"  # trial documents count on their own counter rows
# A step declares the decision; the outcome decides which document it is (and whether there is one).
OUTCOME_TYPES = {
    "penalty_decision": {"fine": "penalty_decision", "no_penalty": "no_penalty_decision",
                         "sanction": "sanction_recommendation"},
    "prior_notice": {"fine": "prior_notice", "no_penalty": None, "sanction": None},
}


def resolve_type(doc_type: str, data: dict[str, Any]) -> str | None:
    """The document type for this outcome (None: the outcome has no such document)."""
    choices = OUTCOME_TYPES.get(doc_type)
    if choices is None or data.get("decision_type") not in choices:
        return doc_type
    return choices[data["decision_type"]]


def _issue(doc_type: str, data: dict[str, Any], *, number: str, case_id: int | None,
           actor: User | None = None) -> Issue:
    """The data completed from directories, earlier documents and defaults, as the renderer gets it."""
    full, earlier = enrich(data, case_id)
    if actor is not None:
        full.setdefault("actor_name", actor.full_name)
        full.setdefault("actor_qualification", "具有法律职业资格" if actor.legal_qualified else "无法律职业资格")
    if doc_type == "rectification_order" and not full.get("rect_deadline_date"):
        days = max([int(p.get("days") or 0) for p in full.get("problems") or []] + [1])
        full["rect_deadline_date"] = WorkingDays().add_working_days(local_today(), days).isoformat()
    if doc_type in DECISION_TYPES:
        full["decision_doc_type"] = doc_type
    return Issue(doc_type=doc_type, data=full, number=number, bureau=get_bureau(),
                 issued_on=issue_date(doc_type, full), earlier=earlier)


def prepare(doc_type: str, data: dict[str, Any], *, number: str, case_id: int | None,
            actor: User | None = None, year: int | None = None) -> Issue:
    """The data completed from directories and earlier documents, checked for blanks (DocumentIncomplete)."""
    issue = _issue(doc_type, data, number=number, case_id=case_id, actor=actor)
    blanks = missing(issue)
    if blanks:
        raise DocumentIncomplete(N_("不能生成《%(title)s》：缺少%(missing)s。请补全后再提交，本步骤未完成。"),
                                 title=DOC_TYPES[doc_type].title, missing="、".join(blanks))
    return issue


def blank_fields(doc_type: str, data: dict[str, Any], case_id: int | None) -> list[tuple[str, str]]:
    """(label, data variable) of the required fields this document would now leave blank that a form could
    collect — e.g. on a case started before the field was added to its forms."""
    resolved = resolve_type(doc_type, data)
    if resolved is None:
        return []
    return missing_keys(_issue(resolved, data, number="", case_id=case_id))


def _store(actor: User | None, issue: Issue, *, case_id: int | None, task_id: int | None,
           element_id: str, year: int, seq: int, version: int, draw_id: int | None = None,
           trial: bool = False) -> Document:
    doc_type, number = issue.doc_type, issue.number
    content = RENDERERS[doc_type](issue)
    title = DOC_TYPES[doc_type].title
    document = Document(doc_type=doc_type, number=number, year=year, seq=seq, version=version, case_id=case_id,
                        task_id=task_id, draw_id=draw_id, element_id=element_id,
                        filename=f"{title}-{number}-v{version}.docx",
                        sha256=hashlib.sha256(content).hexdigest(), content=content, trial=trial,
                        created_by_id=actor.id if actor else None)
    db.session.add(document)
    db.session.flush()
    record_event("document.generated", actor=actor, object_type="case" if case_id else "draw",
                 object_id=case_id or draw_id,
                 details={"document_id": document.id, "type": doc_type, "number": number, "version": version,
                          "sha256": document.sha256, "element": element_id})
    return document


def generate(actor: User | None, doc_type: str, data: dict[str, Any], *, case_id: int | None = None,
             task_id: int | None = None, element_id: str = "", draw_id: int | None = None,
             trial: bool = False) -> Document | None:
    """A new document with the next number of its type this year (None when the outcome has no such document);
    a trial case's takes its number from a separate counter and is marked.

    Checked before a number is taken: a document with a blank required field is refused (DocumentIncomplete)."""
    resolved = resolve_type(doc_type, data)
    if resolved is None:
        return None
    year = utcnow().year
    short_name = get_bureau().short_name
    mark = TRIAL_MARK if trial else ""
    probe = prepare(resolved, data, number=mark + format_number(short_name, resolved, year, 0), case_id=case_id,
                    actor=actor)
    seq = next_seq(TRIAL_COUNTER_PREFIX + resolved if trial else resolved, year)
    issue = replace(probe, number=mark + format_number(short_name, resolved, year, seq))
    return _store(actor, issue, case_id=case_id, task_id=task_id, element_id=element_id, year=year, seq=seq,
                  version=1, draw_id=draw_id, trial=trial)


def draw_documents(draw_id: int) -> list[Document]:
    """Documents issued for a draw (the results report), newest first."""
    return list(db.session.scalars(select(Document).where(Document.draw_id == draw_id).order_by(Document.id.desc())))


def regenerate(actor: User, document_id: int, data: dict[str, Any]) -> Document:
    """A new version under the same number; earlier versions stay."""
    old = db.session.get(Document, document_id)
    if old is None:
        raise NotFound(N_("文书不存在。"))
    latest = db.session.scalar(select(func.max(Document.version)).where(
        Document.bureau_id == old.bureau_id, Document.doc_type == old.doc_type, Document.year == old.year,
        Document.seq == old.seq, Document.trial == old.trial)) or old.version
    issue = prepare(old.doc_type, data, number=old.number, case_id=old.case_id, actor=actor)
    return _store(actor, issue, case_id=old.case_id, task_id=old.task_id, element_id=old.element_id,
                  year=old.year, seq=old.seq, version=latest + 1, trial=old.trial)


def case_documents(case_id: int) -> list[Document]:
    """Every document (all versions) of a case, oldest first."""
    return list(db.session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id)))


def get_document(document_id: int) -> Document:
    """The document or NotFound."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound(N_("文书不存在。"))
    return document
