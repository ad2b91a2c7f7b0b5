"""Document numbers (文号): one atomic counter per type and year, never reused, never skipped silently.

The increment happens in the caller's transaction: if the transaction rolls back, so does the number, so no
number is lost; concurrent transactions queue on the counter row (PostgreSQL row lock, SQLite's writer lock).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.bureaus.context import write_bureau_id
from app.documents.models import DocumentCounter
from app.extensions import db


@dataclass(frozen=True)
class DocType:
    """A kind of document: its name and the letters of its number."""

    code: str
    title: str
    number_word: str


DOC_TYPES: dict[str, DocType] = {t.code: t for t in (
    DocType("inspection_notice", "检查通知书", "检通"),
    DocType("onsite_record", "现场检查笔录", "检录"),
    DocType("inquiry_record", "询问笔录", "询录"),
    DocType("rectification_order", "责令限期改正通知书", "责改"),
    DocType("recheck_record", "整改复查记录", "复查"),
    DocType("case_transfer", "案件移送书", "移送"),
    DocType("results_report", "抽查结果通报", "通报"),
    DocType("annual_report", "行政执法“三项制度”工作年度报告", "年报"),
    DocType("filing_approval", "立案审批表", "立"),
    DocType("evidence_list", "证据清单", "证"),
    DocType("investigation_report", "调查终结报告", "调"),
    DocType("legal_review_opinion", "法制审核意见书", "法审"),
    DocType("collective_discussion", "集体讨论笔录", "集"),
    DocType("prior_notice", "行政处罚事先告知书", "告"),
    DocType("hearing_notice", "听证通知书", "听"),
    DocType("hearing_record", "听证笔录", "听录"),
    DocType("penalty_decision", "行政处罚决定书", "罚"),
    DocType("no_penalty_decision", "不予行政处罚决定书", "不罚"),
    DocType("sanction_recommendation", "处分建议书", "处建"),
    DocType("service_receipt", "送达回证", "送"),
    DocType("demand_notice", "催告书", "催"),
    DocType("enforcement_application", "强制执行申请书", "强申"),
    DocType("closure_report", "结案报告", "结"),
)}


def next_seq(doc_type: str, year: int) -> int:
    """Take the next number of this type and year in the bureau being written (inside the caller's transaction).

    Core statements on the counter table: scoped here by `bureau_id` explicitly (see docs/architecture.md).
    """
    dialect = db.session.get_bind().dialect.name
    bureau_id = write_bureau_id()
    values = {"bureau_id": bureau_id, "doc_type": doc_type, "year": year, "last_seq": 0}
    if dialect == "postgresql":
        db.session.execute(pg_insert(DocumentCounter).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        db.session.execute(sqlite_insert(DocumentCounter).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - the two supported databases are above
        db.session.execute(insert(DocumentCounter).values(**values))
    seq = db.session.execute(
        update(DocumentCounter).where(DocumentCounter.bureau_id == bureau_id, DocumentCounter.doc_type == doc_type,
                                      DocumentCounter.year == year)
        .values(last_seq=DocumentCounter.last_seq + 1).returning(DocumentCounter.last_seq)).scalar_one()
    return int(seq)


def format_number(short_name: str, doc_type: str, year: int, seq: int) -> str:
    """e.g. 示档检通〔2026〕7号 — agency short name, type word, year in 〔〕, sequence without leading zeros."""
    return f"{short_name}{DOC_TYPES[doc_type].number_word}〔{year}〕{seq}号"


