"""What a case file (案卷) holds and in which order: cover facts, the documents to bind, the evidence list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.clock import to_local
from app.documents.models import Document
from app.documents.services.bureau import get_bureau
from app.documents.services.numbers import DOC_TYPES
from app.extensions import db
from app.workflow.models import Attachment, Case, Task
from app.workflow.services.cases import case_data

# Binding order (卷内文件排列): filing first, then the decision and its notices, then the investigation and its
# evidence, the review, and the closure last; an inspection's records in the order of the procedure.
BINDING_ORDER = (
    "filing_approval", "penalty_decision", "service_receipt", "prior_notice", "hearing_notice",
    "investigation_report", "inquiry_record", "evidence_list", "legal_review_opinion", "collective_discussion",
    "inspection_notice", "onsite_record", "rectification_order", "recheck_record", "case_transfer", "demand_notice",
    "enforcement_application", "closure_report",
)
# Retention of enforcement case files (保管期限): a default the bureau's own rules may change.
RETENTION = "30年"
OUTCOMES = {"fine": "罚款", "sanction": "处分建议", "no_penalty": "不予行政处罚", "compliant": "未发现问题",
            "problems": "发现问题，责令整改", "violation": "涉嫌违法，移送立案"}


@dataclass
class Volume:
    """Everything the case file shows, in order."""

    case: Case
    agency: str
    number: str
    party: str
    cause: str
    started: date
    finished: date | None
    outcome: str
    retention: str
    documents: list[Document] = field(default_factory=list)
    attachments: list[tuple[Attachment, str]] = field(default_factory=list)  # (file, the step it came with)


def _rank(document: Document) -> tuple[int, int]:
    order = BINDING_ORDER.index(document.doc_type) if document.doc_type in BINDING_ORDER else len(BINDING_ORDER)
    return order, document.id


def _outcome(data: dict[str, object]) -> str:
    kind = str(data.get("decision_type") or data.get("outcome") or "")
    text = OUTCOMES.get(kind, "")
    amount = data.get("fine_amount")
    if kind == "fine" and isinstance(amount, int | float):
        text += f" ¥{amount:,.2f}"
    if data.get("rect_result") == "accepted":
        text += "；整改验收合格"
    return text or "—"


def plan(case: Case) -> Volume:
    """The case file's contents: the latest version of every document in binding order, and every attachment."""
    latest: dict[tuple[str, int, int], Document] = {}
    for document in db.session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id)):
        latest[(document.doc_type, document.year, document.seq)] = document
    documents = sorted(latest.values(), key=_rank)
    steps = {t.id: t.name for t in db.session.scalars(select(Task).where(Task.case_id == case.id))}
    files = [(a, steps.get(a.task_id or 0, "")) for a in db.session.scalars(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id))]
    filing = next((d for d in documents if d.doc_type == "filing_approval"), None)
    data = case_data(case)
    return Volume(case=case, agency=get_bureau().full_name, number=filing.number if filing else f"#{case.id}",
                  party=case.party or str(data.get("party_name") or data.get("object_name") or "—"),
                  cause=case.subject, started=to_local(case.created_at).date(),
                  finished=to_local(case.completed_at).date() if case.completed_at else None,
                  outcome=_outcome(data), retention=RETENTION, documents=documents, attachments=files)


def document_title(document: Document) -> str:
    """The document's Chinese title."""
    kind = DOC_TYPES.get(document.doc_type)
    return kind.title if kind else document.filename.split("-")[0]
