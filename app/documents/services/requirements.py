"""The fields each document type must carry (docs/documents/README.md; the floor is shared/DOCUMENTS.md).

A document is never issued with one of them blank: `missing()` names what is missing, and the step that issues the
document is refused with that list (nothing is numbered, stored or completed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.documents.services.context import Issue, people

Getter = Callable[[Issue], Any]


class Ref:
    """A value of the case data (`source` "data") or of the bureau settings ("bureau"), named so tests can find
    it in the rendered text."""

    def __init__(self, source: str, key: str) -> None:
        self.source, self.key = source, key

    def __call__(self, issue: Issue) -> Any:
        return issue.data.get(self.key) if self.source == "data" else getattr(issue.bureau, self.key)


def data(key: str) -> Ref:
    """A value of the case data."""
    return Ref("data", key)


def bureau(key: str) -> Ref:
    """A value of the bureau settings."""
    return Ref("bureau", key)


def _officers_with_certificates(issue: Issue) -> bool:
    team = people(issue)
    return bool(team) and all(p["name"] and p["certificate_no"] for p in team)


def _party_identifier(issue: Issue) -> Any:
    key = "party_id_no" if issue.data.get("party_type") == "person" else "party_credit_code"
    return issue.data.get(key)


def _earlier(*doc_types: str) -> Getter:
    return lambda issue: issue.earlier_number(*doc_types)


BUREAU_NAME = ("机关设置：机关全称", bureau("full_name"))
BUREAU_CONTACT = [("机关设置：机关地址", bureau("address")), ("机关设置：邮政编码", bureau("postcode")),
                  ("机关设置：联系电话", bureau("phone"))]
REMEDIES = [("机关设置：行政复议机关", bureau("reconsideration_body")), ("机关设置：管辖人民法院", bureau("court"))]
PAYMENT = [("机关设置：罚款缴纳银行", bureau("bank_name")), ("机关设置：收款账户名称", bureau("account_name")),
           ("机关设置：收款账号", bureau("account_no"))]
OFFICERS = ("执法人员姓名及执法证号", _officers_with_certificates)
PARTY = [("当事人名称", data("party_name")), ("当事人统一社会信用代码或身份证件号码", _party_identifier),
         ("当事人地址", data("party_address"))]
FACTS = [("违法事实", data("found_facts")), ("证据", data("evidence_summary")), ("违反的法律条款", data("legal_basis")),
         ("决定依据", data("decision_basis"))]

REQUIRED: dict[str, list[tuple[str, Getter]]] = {
    "inspection_notice": [BUREAU_NAME, ("被检查单位", data("object_name")), ("检查日期", data("notice_date")),
                          ("检查事项", data("key_areas")), OFFICERS, *BUREAU_CONTACT],
    "onsite_record": [("被检查单位", data("object_name")), ("统一社会信用代码", data("object_code")),
                      ("检查日期", data("checked_on")), ("开始时间", data("start_time")),
                      ("结束时间", data("end_time")),
                      ("检查地点", lambda i: i.data.get("place") or i.data.get("object_address")),
                      ("在场负责人", data("present_person")), OFFICERS, ("记录人", data("recorder")),
                      ("检查情况", data("findings"))],
    "inquiry_record": [OFFICERS, ("记录人", data("recorder")), ("询问日期", data("inquiry_date")),
                       ("询问开始时间", data("inquiry_start")), ("询问结束时间", data("inquiry_end")),
                       ("询问地点", data("inquiry_place")), ("被询问人", data("inquiry_person")),
                       ("被询问人性别", data("inquiry_gender")), ("被询问人身份证件号码", data("inquiry_id_no")),
                       ("被询问人职务", data("inquiry_position")), ("被询问人联系电话", data("inquiry_phone")),
                       ("与本案关系", data("inquiry_relation")), ("问答", data("inquiry_qa"))],
    "rectification_order": [BUREAU_NAME, ("被检查单位", data("object_name")), ("检查日期", data("checked_on")),
                            ("问题清单", data("problems")), ("违反的条款", data("rect_basis")),
                            ("整改期限", data("rect_deadline_date")), *BUREAU_CONTACT],
    "recheck_record": [("被检查单位", data("object_name")), ("复查情况", data("recheck_notes")), OFFICERS],
    "case_transfer": [("被检查单位", data("object_name")), ("涉嫌违法事实", data("transfer_facts")),
                      ("涉嫌违反的条款", data("transfer_basis")), OFFICERS],
    "results_report": [BUREAU_NAME, ("年度", data("year"))],
    "annual_report": [BUREAU_NAME, ("年度", data("year"))],
    "filing_approval": [*PARTY, ("案件来源", data("source")),
                        ("机关设置：签发人", bureau("signatory")), ("涉嫌违法事实", data("facts")),
                        ("涉嫌违反的法律条款", data("legal_basis")), OFFICERS],
    "evidence_list": [("当事人名称", data("party_name")), ("证据", data("evidence_items")), OFFICERS],
    "investigation_report": [*PARTY, *FACTS, ("立案日期", data("filed_on")), ("裁量情节", data("discretion_reason")),
                             ("处理建议", data("decision_type")), OFFICERS],
    "legal_review_opinion": [("当事人名称", data("party_name")), ("审核结论", data("review_outcome")),
                             ("审核意见", data("review_opinion")), ("审核人", data("actor_name"))],
    "collective_discussion": [("讨论日期", data("discussion_date")), ("讨论地点", data("discussion_place")),
                              ("主持人", data("chair")), ("出席人员", data("participants")),
                              ("记录人", data("discussion_recorder")), ("讨论意见", data("discussion"))],
    "prior_notice": [BUREAU_NAME, *PARTY, *FACTS, ("拟罚款金额", data("fine_amount")), *BUREAU_CONTACT],
    "hearing_notice": [BUREAU_NAME, ("当事人名称", data("party_name")), ("听证日期", data("hearing_date")),
                       ("听证时间", data("hearing_time")), ("听证地点", data("hearing_place")),
                       ("听证主持人", data("hearing_host")), ("书记员", data("hearing_clerk")), *BUREAU_CONTACT],
    "hearing_record": [("听证日期", data("hearing_date")), ("听证开始时间", data("hearing_start")),
                       ("听证结束时间", data("hearing_end")), ("听证主持人", data("hearing_host")),
                       ("书记员", data("hearing_clerk")), ("当事人及委托代理人", data("hearing_attendees")),
                       ("调查人员意见", data("hearing_case_statement")),
                       ("当事人陈述申辩", data("hearing_party_statement")), OFFICERS],
    "penalty_decision": [BUREAU_NAME, *PARTY, *FACTS, ("罚款金额", data("fine_amount")),
                         ("事先告知书文号", _earlier("prior_notice")), ("事先告知书送达日期", data("notice_served_on")),
                         ("决定日期", data("decision_date")), *PAYMENT, *REMEDIES],
    "no_penalty_decision": [BUREAU_NAME, *PARTY, *FACTS, ("不予处罚的理由", data("discretion_reason")),
                            ("决定日期", data("decision_date")), *REMEDIES],
    "sanction_recommendation": [BUREAU_NAME, ("当事人名称", data("party_name")), *FACTS,
                                ("任免机关或者监察机关", data("appointing_authority")),
                                ("责任人员", data("responsible_persons")), ("决定日期", data("decision_date")),
                                *BUREAU_CONTACT],
    "service_receipt": [("送达文书文号", _earlier("penalty_decision", "no_penalty_decision",
                                                "sanction_recommendation")),
                        ("受送达人", data("party_name")), ("送达地址", data("party_address")),
                        ("送达方式", data("service_method")), ("送达日期", data("served_on")),
                        ("送达时间", data("service_time")), ("送达地点", data("service_place")),
                        ("送达人", data("servers"))],
    "demand_notice": [BUREAU_NAME, ("当事人名称", data("party_name")), ("决定书文号", _earlier("penalty_decision")),
                      ("送达日期", data("served_on")), ("尚欠金额", data("outstanding")), *PAYMENT, *BUREAU_CONTACT],
    "enforcement_application": [
        BUREAU_NAME, *PARTY, ("行政处罚决定书文号", _earlier("penalty_decision")),
        ("送达回证文号", _earlier("service_receipt")), ("催告书文号", _earlier("demand_notice")),
        ("决定日期", data("decision_date")), ("决定书送达日期", data("served_on")), ("罚款金额", data("fine_amount")),
        ("尚欠金额", data("outstanding")), ("缴款期限", data("pay_due")), ("催告日期", data("demand_date")),
        ("复议、诉讼期限届满日", data("remedies_end")), ("申请日期", data("application_date")),
        ("当事人的意见及催告情况", data("party_opinion")), ("申请强制执行标的情况", data("enforcement_subject")),
        ("机关设置：签发人", bureau("signatory")), ("机关设置：管辖人民法院", bureau("court")), *BUREAU_CONTACT],
    "closure_report": [("当事人名称", data("party_name")), ("立案日期", data("filed_on")),
                       ("机关设置：签发人", bureau("signatory")),
                       ("执行情况", data("execution_summary")), OFFICERS],
}
CONDITIONAL: dict[str, list[tuple[str, Callable[[Issue], bool], Getter]]] = {
    "service_receipt": [("留置送达见证人", lambda i: i.data.get("service_method") == "left", data("service_witness")),
                        ("留置理由", lambda i: i.data.get("service_method") == "left", data("refusal_reason"))],
    "filing_approval": [("法定代表人（负责人）", lambda i: i.data.get("party_type") != "person",
                         data("party_legal_rep"))],
}


def _blank(value: Any) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, str | list | dict | tuple):
        return len(value) == 0 if not isinstance(value, str) else not value.strip()
    return False


def missing(issue: Issue) -> list[str]:
    """Labels of the required fields this document would leave blank."""
    labels = [label for label, get in REQUIRED.get(issue.doc_type, []) if _blank(get(issue))]
    labels += [label for label, applies, get in CONDITIONAL.get(issue.doc_type, [])
               if applies(issue) and _blank(get(issue))]
    return labels


def _key(issue: Issue, get: Getter) -> str | None:
    """The case-data variable a required field reads (None: settings, directories or earlier documents)."""
    if isinstance(get, Ref):
        return get.key if get.source == "data" else None
    if get is _party_identifier:
        return "party_id_no" if issue.data.get("party_type") == "person" else "party_credit_code"
    return None


def missing_keys(issue: Issue) -> list[tuple[str, str]]:
    """(label, data variable) of the blank required fields a person could still enter on a form."""
    rules = list(REQUIRED.get(issue.doc_type, []))
    rules += [(label, get) for label, applies, get in CONDITIONAL.get(issue.doc_type, []) if applies(issue)]
    found = [(label, _key(issue, get)) for label, get in rules if _blank(get(issue))]
    return [(label, key) for label, key in found if key]
