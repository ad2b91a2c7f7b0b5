"""Generating, storing and versioning documents inside the caller's transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.audit.services import record_event
from app.auth.models import User
from app.bureaus.context import write_bureau_id
from app.bureaus.services.tree import get_bureau
from app.clock import utcnow
from app.documents.models import Document
from app.documents.services.numbers import DOC_TYPES, format_number, next_seq
from app.documents.services.renderers import RENDERERS
from app.errors import N_, NotFound
from app.extensions import db


@dataclass
class Agency:
    """Who issues the documents: the current bureau's names (`AGENCY` keeps the configured default)."""

    name: str = "示例市档案局"
    short_name: str = "示档"


AGENCY = Agency()


def configure(name: str, short_name: str) -> None:
    """Called once by the app factory."""
    AGENCY.name, AGENCY.short_name = name, short_name


def issuer() -> Agency:
    """The bureau issuing documents in this unit of work: its full name and the short name of its numbers."""
    bureau = get_bureau(write_bureau_id())
    return Agency(name=bureau.name, short_name=bureau.short_name)


def _store(actor: User | None, doc_type: str, data: dict[str, Any], *, case_id: int | None, task_id: int | None,
           element_id: str, year: int, seq: int, version: int, draw_id: int | None = None) -> Document:
    agency = issuer()
    number = format_number(agency.short_name, doc_type, year, seq)
    content = RENDERERS[doc_type](data, number, agency.name)
    title = DOC_TYPES[doc_type].title
    document = Document(doc_type=doc_type, number=number, year=year, seq=seq, version=version, case_id=case_id,
                        task_id=task_id, draw_id=draw_id, element_id=element_id,
                        filename=f"{title}-{number}-v{version}.docx",
                        sha256=hashlib.sha256(content).hexdigest(), content=content,
                        created_by_id=actor.id if actor else None)
    db.session.add(document)
    db.session.flush()
    record_event("document.generated", actor=actor, object_type="case" if case_id else "draw",
                 object_id=case_id or draw_id,
                 details={"document_id": document.id, "type": doc_type, "number": number, "version": version,
                          "sha256": document.sha256, "element": element_id})
    return document


def generate(actor: User | None, doc_type: str, data: dict[str, Any], *, case_id: int | None = None,
             task_id: int | None = None, element_id: str = "", draw_id: int | None = None) -> Document:
    """A new document with the next number of its type this year."""
    year = utcnow().year
    return _store(actor, doc_type, data, case_id=case_id, task_id=task_id, element_id=element_id, year=year,
                  seq=next_seq(doc_type, year), version=1, draw_id=draw_id)


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
        Document.seq == old.seq)) or old.version
    return _store(actor, old.doc_type, data, case_id=old.case_id, task_id=old.task_id, element_id=old.element_id,
                  year=old.year, seq=old.seq, version=latest + 1)


def case_documents(case_id: int) -> list[Document]:
    """Every document (all versions) of a case, oldest first."""
    return list(db.session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id)))


def get_document(document_id: int) -> Document:
    """The document or NotFound."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound(N_("文书不存在。"))
    return document
