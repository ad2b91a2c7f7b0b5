"""What a renderer gets: the case data completed from the directories and the case's earlier documents, the number,
the bureau's settings and the issue date — and the phrases every document shares (team, party, labels)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from app.clock import local_today
from app.directories.models import InspectionObject, Officer
from app.documents.models import Document
from app.documents.services.bureau import Bureau
from app.documents.services.chinese import as_date
from app.extensions import db

AREAS = {
    "responsibility": "档案工作责任制和管理制度",
    "storage": "档案库房、设施设备",
    "staffing": "档案工作人员配备",
    "management": "档案收集、整理、保管、提供利用",
    "information": "档案信息化建设和信息安全",
    "guidance": "对所属单位档案工作的监督指导",
}
PARTY_TYPES = {"unit": "单位", "person": "个人", "service_company": "档案服务企业"}
SOURCES = {"inspection": "随机抽查移送", "complaint": "投诉举报", "referral": "上级交办或移送", "other": "其他途径发现"}
SERVICE_METHODS = {"spot": "当场交付", "direct": "直接送达", "left": "留置送达", "entrusted": "委托送达",
                   "post": "邮寄送达", "public": "公告送达"}
# The date each document carries at its signature (else the day it is issued).
DATE_FIELDS = {
    "onsite_record": "checked_on", "inquiry_record": "inquiry_date", "collective_discussion": "discussion_date",
    "penalty_decision": "decision_date", "no_penalty_decision": "decision_date",
    "sanction_recommendation": "decision_date", "service_receipt": "served_on", "hearing_record": "hearing_date",
    "demand_notice": "demand_date", "enforcement_application": "application_date",
}
DECISION_TYPES = ("penalty_decision", "no_penalty_decision", "sanction_recommendation")


@dataclass
class Issue:
    """One document being issued."""

    doc_type: str
    data: dict[str, Any]
    number: str
    bureau: Bureau
    issued_on: date
    earlier: list[dict[str, str]] = field(default_factory=list)

    def get(self, key: str, default: Any = "") -> Any:
        """A data value, '' when missing or None."""
        value = self.data.get(key)
        return default if value is None or value == "" else value

    def earlier_number(self, *doc_types: str) -> str:
        """The number of the case's latest earlier document of these types ('' when none)."""
        found = [d for d in self.earlier if d["type"] in doc_types]
        return found[-1]["number"] if found else ""


def _object(data: dict[str, Any]) -> InspectionObject | None:
    object_id = data.get("object_id")
    if object_id and str(object_id).isdigit():
        return db.session.get(InspectionObject, int(object_id))
    return None


def enrich(data: dict[str, Any], case_id: int | None) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The data completed from the directories (the inspected unit's address and credit code, officers'
    certificate numbers) and the case's earlier documents (type, number)."""
    full = dict(data)
    unit = _object(full)
    if unit is not None:
        full.setdefault("object_address", unit.address)
        full.setdefault("object_code", unit.credit_code)
        full.setdefault("object_contact", unit.contact_person)
        if full.get("party_name") == unit.name or not full.get("party_name"):
            full.setdefault("party_address", unit.address)
            full.setdefault("party_credit_code", unit.credit_code)
    for key in ("party_address", "party_credit_code"):
        if not full.get(key):
            full.pop(key, None)
    names = {o["name"]: o.get("code", "") for o in full.get("officers") or []}
    if names:
        known = dict(db.session.execute(select(Officer.certificate_no, Officer.name)
                                        .where(Officer.certificate_no.in_(list(names.values())))).all())
        full["officers"] = [{**o, "name": known.get(o.get("code", ""), o["name"])} for o in full["officers"]]
    earlier = []
    if case_id is not None:
        earlier = [{"type": d.doc_type, "number": d.number} for d in db.session.scalars(
            select(Document).where(Document.case_id == case_id).order_by(Document.id))]
    return full, earlier


def issue_date(doc_type: str, data: dict[str, Any]) -> date:
    """The date at the signature: the step's own date field where it has one, else today (bureau's calendar)."""
    return as_date(data.get(DATE_FIELDS.get(doc_type, ""))) or local_today()


def people(issue: Issue) -> list[dict[str, str]]:
    """The officers acting (inspection team or case investigators) as name + certificate number."""
    officers = issue.data.get("officers") or []
    if officers:
        return [{"name": o.get("name", ""), "certificate_no": o.get("code", "")} for o in officers]
    return [{"name": o.get("name", ""), "certificate_no": o.get("certificate_no", "")}
            for o in issue.data.get("investigators") or []]


def team_text(issue: Issue) -> str:
    """姓名（执法证号 X）、… plus the experts."""
    officers = "、".join(f"{p['name']}（执法证号 {p['certificate_no']}）" for p in people(issue))
    experts = "、".join(e.get("name", "") for e in issue.data.get("experts") or [])
    return officers + (f"；专家：{experts}" if experts else "")


def you(issue: Issue) -> str:
    """你单位 / 你 — how the document addresses the party."""
    return "你" if issue.data.get("party_type") == "person" else "你单位"


def party_lines(issue: Issue) -> list[tuple[str, str]]:
    """当事人 block of decisions and notices: name, identifier, address (and legal representative)."""
    lines = [("当事人", str(issue.get("party_name")))]
    if issue.data.get("party_type") == "person":
        lines.append(("身份证件号码", str(issue.get("party_id_no"))))
    else:
        lines.append(("统一社会信用代码", str(issue.get("party_credit_code"))))
        if issue.get("party_legal_rep"):
            lines.append(("法定代表人（负责人）", str(issue.get("party_legal_rep"))))
    lines.append(("地址", str(issue.get("party_address"))))
    return lines


def person_text(issue: Issue, certificate_no: object) -> str:
    """姓名（执法证号 X） for a team member picked by certificate number ('' when unknown)."""
    for person in people(issue):
        if person["certificate_no"] and person["certificate_no"] == certificate_no:
            return f"{person['name']}（执法证号 {person['certificate_no']}）"
    return ""


def age_from_id(id_no: object, on: date) -> str:
    """Age in years from an 18-digit resident ID number ('' when it is not one)."""
    text = str(id_no or "")
    if len(text) != 18 or not text[:17].isdigit():
        return ""
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return ""
    return str(on.year - born.year - ((on.month, on.day) < (born.month, born.day)))
