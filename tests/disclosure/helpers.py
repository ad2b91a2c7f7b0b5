"""A penalty decision served in a case-handling case (the way the legal section and leaders do it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth.roles import Role
from app.disclosure.models import DisclosureItem
from app.extensions import db
from tests.cases.helpers import FILE, INVESTIGATE, SERVE, do, report, start

PERSON = {**{k: v for k, v in FILE.items() if k not in ("party_credit_code", "party_legal_rep")},
          "party_name": "张小三", "party_type": "person", "party_id_no": "110105198502021234",
          "party_address": "示例市演示区演示路 8 号 3 单元"}


def served_case(fine: float = 20000, data: dict[str, Any] | None = None, decision_type: str = "fine") -> int:
    """File → investigate → report → prior notice → decide → serve; returns the case id."""
    case_id = start()
    do(case_id, "file", Role.LEGAL, data or FILE)
    do(case_id, "approve_filing", Role.LEADER, {"filing_decision": "approve", "filing_opinion": "同意立案"})
    do(case_id, "investigate", Role.INSPECTOR, INVESTIGATE)
    do(case_id, "report", Role.INSPECTOR, report(fine, decision_type))
    do(case_id, "prior_notice", Role.LEGAL, {"notice_served_on": "2027-05-06"})
    do(case_id, "party_response", Role.LEGAL, {"statement": "无", "hearing_requested": False})
    do(case_id, "decide", Role.LEADER, {"decision_approved": True, "decision_date": "2027-05-20"})
    do(case_id, "serve", Role.LEGAL, SERVE)
    return case_id


def draft_of(case_id: int) -> DisclosureItem:
    """The case's decision item."""
    item = db.session.scalar(select(DisclosureItem).where(DisclosureItem.case_id == case_id))
    assert item is not None
    return item
