"""The case documents: filing, evidence, investigation report, legal review, collective discussion, prior notice,
the decision for each outcome, service receipt, demand for payment and closure."""

from __future__ import annotations

from collections.abc import Callable

from app.documents.services.chinese import date_text, money, money_figures
from app.documents.services.context import PARTY_TYPES, SERVICE_METHODS, SOURCES, Issue, party_lines, team_text, you
from app.documents.services.layout import add_heading, add_sign_lines, add_table, add_text, to_bytes
from app.documents.services.sheets import BLANK, contact, fields, head, sign
from app.documents.services.statements import case_cause

REVIEW_ELEMENTS = {
    "subject": "行政执法主体是否合法", "qualification": "行政执法人员是否具备执法资格", "facts": "主要事实是否清楚",
    "evidence": "证据是否确凿充分", "law": "适用法律法规规章是否准确", "discretion": "执行裁量基准是否适当",
    "procedure": "程序是否合法", "overreach": "是否有超越职权范围或滥用职权情形", "documents": "行政执法文书是否规范"
                                                                         "齐备",
    "crime": "违法行为是否涉嫌犯罪需要移送司法机关", "other": "其他应当审核的内容",
}
OUTCOMES = {"agree": "同意", "disagree": "不同意", "revise": "建议修改后再报"}
DECISION_TITLES = {"penalty_decision": "行政处罚决定书", "no_penalty_decision": "不予行政处罚决定书",
                   "sanction_recommendation": "处分建议书"}


def proposal(issue: Issue) -> str:
    """The proposed or decided outcome in words (money in 大写 and figures)."""
    kind = issue.get("decision_type")
    if kind == "fine":
        return f"罚款{money(issue.get('fine_amount', 0))}"
    if kind == "sanction":
        return f"向{issue.get('appointing_authority')}提出对{issue.get('responsible_persons')}给予处分的建议"
    return "不予行政处罚"


def _approval_cells(label: str, who: str = "") -> list[str]:
    return [label, f"{who + '  ' if who else ''}签名：{BLANK}    日期：{BLANK}"]


def filing_approval(issue: Issue) -> bytes:
    """立案审批表: cause, source, the party, facts, grounds, investigators with certificates, opinions, approval."""
    document = head(issue, "立案审批表")
    identity = (["身份证件号码", str(issue.get("party_id_no"))] if issue.get("party_type") == "person"
                else ["统一社会信用代码", str(issue.get("party_credit_code"))])
    rows = [["案由", case_cause(issue)], ["案件来源", SOURCES.get(issue.get("source"), "")],
            ["当事人", f"{issue.get('party_name')}（{PARTY_TYPES.get(issue.get('party_type'), '')}）"], identity]
    if issue.get("party_type") != "person":
        rows.append(["法定代表人（负责人）", str(issue.get("party_legal_rep"))])
    rows += [["地址", str(issue.get("party_address"))], ["联系电话", str(issue.get("party_phone") or "—")],
             ["案情摘要及立案理由", str(issue.get("facts"))], ["涉嫌违反的法律条款", str(issue.get("legal_basis"))],
             ["承办人员", team_text(issue)],
             ["承办人意见", f"建议立案调查。    签名：{BLANK}    日期：{date_text(issue.issued_on)}"],
             _approval_cells("承办机构意见"), _approval_cells("负责人审批意见", issue.bureau.signatory)]
    add_table(document, ["项目", "内容"], rows, widths=[9, 24])
    return to_bytes(document)


def evidence_list(issue: Issue) -> bytes:
    """证据清单: each item, where it came from and what it proves; the party confirms by signing."""
    document = head(issue, "证据清单")
    add_text(document, f"案由：{case_cause(issue)}", indent=False)
    add_table(document, ["序号", "证据名称", "来源", "证明事项"],
              [[str(i), e.get("name", ""), e.get("source") or "—", e.get("proves") or "—"]
               for i, e in enumerate(issue.data.get("evidence_items") or [], start=1)])
    add_sign_lines(document, [f"当事人（证据提供人）签名：{BLANK}    日期：{BLANK}",
                              f"执法人员：{team_text(issue)}", f"制作日期：{date_text(issue.issued_on)}"])
    return to_bytes(document)


def investigation_report(issue: Issue) -> bytes:
    """调查终结报告: the party, the investigation, facts and evidence, grounds, discretion, proposal."""
    document = head(issue, "案件调查终结报告")
    add_heading(document, "一、当事人基本情况")
    add_text(document, "；".join(f"{k}：{v}" for k, v in party_lines(issue)) + "。")
    add_heading(document, "二、调查经过")
    add_text(document, f"本案于{date_text(issue.get('filed_on'))}经批准立案，由{team_text(issue)}承办。承办人员询问了"
                       f"{issue.get('inquiry_person')}，收集了证据{len(issue.data.get('evidence_items') or [])}项。")
    add_heading(document, "三、违法事实和证据")
    add_text(document, f"经查，{issue.get('found_facts')}。")
    add_text(document, f"以上事实有{issue.get('evidence_summary')}等证据证实。")
    add_heading(document, "四、定性和依据")
    add_text(document, f"当事人的上述行为违反了{issue.get('legal_basis')}的规定，依据{issue.get('decision_basis')}处"
                       f"理。")
    add_heading(document, "五、裁量情节")
    add_text(document, str(issue.get("discretion_reason")))
    add_heading(document, "六、处理建议")
    add_text(document, f"建议{proposal(issue)}。")
    add_sign_lines(document, [f"承办人员：{team_text(issue)}", f"签名：{BLANK}    日期：{date_text(issue.issued_on)}"])
    return to_bytes(document)


def legal_review_opinion(issue: Issue) -> bytes:
    """法制审核意见书: what was submitted, each review element, the conclusion, the opinion, the reviewer."""
    document = head(issue, "重大执法决定法制审核意见书")
    fields(document, [("送审机构", "执法检查人员（承办人员）"), ("案由", case_cause(issue)),
                      ("当事人", str(issue.get("party_name"))), ("拟作出的决定", proposal(issue)),
                      ("决定依据", str(issue.get("decision_basis"))), ("主要事实", str(issue.get("found_facts")))])
    rows = [[label, {"ok": "符合", "problem": "不符合"}.get(issue.data.get(f"el_{key}"), "—")]
            for key, label in REVIEW_ELEMENTS.items()]
    add_table(document, ["审核要素", "审核情况"], rows)
    add_text(document, f"审核结论：{OUTCOMES.get(issue.get('review_outcome'), '')}。", indent=False)
    add_text(document, f"具体意见：{issue.get('review_opinion')}", indent=False)
    if issue.get("review_justification"):
        add_text(document, f"对不符合要素仍同意的理由：{issue.get('review_justification')}", indent=False)
    add_sign_lines(document, [f"审核人：{issue.get('actor_name')}（{issue.get('actor_qualification')}）  签名：{BLANK}",
                              f"审核日期：{date_text(issue.issued_on)}"])
    return to_bytes(document)


def collective_discussion(issue: Issue) -> bytes:
    """集体讨论笔录 (transcript)."""
    document = head(issue, "案件集体讨论笔录",
                    signature_line="主持人签名：__________    参加人员签名：__________    记录人签名：__________")
    fields(document, [("讨论时间", date_text(issue.get("discussion_date"))), ("讨论地点", str(issue.get("discussion_p"
                                                                                                "lace"))),
                      ("主持人", str(issue.get("chair"))), ("出席人员", str(issue.get("participants"))),
                      ("记录人", str(issue.get("discussion_recorder"))), ("讨论案件", case_cause(issue))])
    add_text(document, f"承办人员汇报：{issue.get('found_facts')}。拟{proposal(issue)}。法制审核两次不同意，提请集体"
                       f"讨论。")
    add_text(document, f"讨论意见：{issue.get('discussion')}")
    decided = "作出决定：" + proposal(issue) if issue.data.get("collective_proceed") else "不作处罚决定"
    add_text(document, f"讨论决定：{decided}。")
    add_sign_lines(document, [f"主持人签名：{BLANK}", f"出席人员签名：{BLANK}", f"记录人签名：{BLANK}"])
    return to_bytes(document)


def prior_notice(issue: Issue) -> bytes:
    """行政处罚事先告知书: facts, evidence, grounds, proposed penalty, statement and defence, hearing, five days."""
    document = head(issue, "行政处罚事先告知书")
    party = you(issue)
    _party_block(document, issue)
    add_text(document, f"{issue.get('party_name')}：", indent=False)
    add_text(document, f"经调查，{party}{issue.get('found_facts')}。以上事实有{issue.get('evidence_summary')}等证据证"
                       f"实。")
    add_text(document, f"{party}的上述行为违反了{issue.get('legal_basis')}的规定。依据{issue.get('decision_basis')}的"
                       f"规定，"
                       f"我局拟对{party}作出如下行政处罚：{proposal(issue)}。")
    add_text(document, f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，{party}有权进行陈述和申辩；根"
                       f"据第六十三条、"
                       f"第六十四条的规定，{party}有权要求举行听证。{party}如需陈述、申辩或者要求听证，应当在收到本告"
                       f"知书之日起"
                       "五日内向我局提出。逾期未提出的，视为放弃上述权利。")
    sign(document, issue)
    contact(document, issue)
    return to_bytes(document)


def _procedure_sentence(issue: Issue) -> str:
    notice = issue.earlier_number("prior_notice")
    told = (f"我局于{date_text(issue.get('notice_served_on'))}向当事人送达了《行政处罚事先告知书》（{notice}），"
            "告知了拟作出行政处罚的事实、理由、依据及当事人依法享有的陈述、申辩和要求听证的权利。")
    if issue.data.get("hearing_requested"):
        return told + f"当事人申请听证，我局于{date_text(issue.get('hearing_date'))}依法举行了听证。"
    if str(issue.get("statement")).strip() not in ("", "无"):
        return told + "当事人在法定期限内提出了陈述、申辩意见，我局进行了复核。"
    return told + "当事人在法定期限内未提出陈述、申辩意见，也未要求听证。"


def _remedies(document: object, issue: Issue) -> None:
    add_text(document, f"当事人如不服本决定，可以自收到本决定书之日起六十日内向{issue.bureau.reconsideration_body}申"
                       f"请行政复议，"
                       f"或者自收到本决定书之日起六个月内直接向{issue.bureau.court}提起行政诉讼。")


def _party_block(document: object, issue: Issue) -> None:
    for label, value in party_lines(issue):
        add_text(document, f"{label}：{value}", indent=False)


def penalty_decision(issue: Issue) -> bytes:
    """行政处罚决定书 (Art. 59): party with address and code, facts and evidence, grounds, penalty, how and where
    to pay and by when, reconsideration body and court with their time limits, the bureau, the date, the seal."""
    document = head(issue, "行政处罚决定书")
    _party_block(document, issue)
    add_text(document, f"经查，当事人{issue.get('found_facts')}。以上事实有{issue.get('evidence_summary')}等证据证实。")
    add_text(document, _procedure_sentence(issue))
    bureau = issue.bureau
    add_text(document, f"当事人的上述行为违反了{issue.get('legal_basis')}的规定。依据{issue.get('decision_basis')}的"
                       f"规定，"
                       f"我局决定对当事人作出如下行政处罚：{proposal(issue)}。")
    add_text(document, f"当事人应当自收到本决定书之日起十五日内，将罚款缴至{bureau.bank_name}（户名："
                       f"{bureau.account_name}；"
                       f"账号：{bureau.account_no}），并将缴款凭证送交我局。到期不缴纳罚款的，我局将依据《中华人民共"
                       f"和国"
                       "行政处罚法》第七十二条的规定，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款数额，"
                       "并依法申请人民法院强制执行。")
    _remedies(document, issue)
    add_text(document, "行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。")
    sign(document, issue)
    return to_bytes(document)


def no_penalty_decision(issue: Issue) -> bytes:
    """不予行政处罚决定书: facts, the ground for not penalising, the remedies; nothing to pay."""
    document = head(issue, "不予行政处罚决定书")
    _party_block(document, issue)
    add_text(document, f"经查，当事人{issue.get('found_facts')}。以上事实有{issue.get('evidence_summary')}等证据证实。")
    add_text(document, f"当事人的上述行为违反了{issue.get('legal_basis')}的规定。鉴于{issue.get('discretion_reason')}，"
                       f"依据{issue.get('decision_basis')}的规定，我局决定对当事人不予行政处罚。")
    add_text(document, "当事人应当引以为戒，认真整改，自觉遵守档案法律法规。")
    _remedies(document, issue)
    sign(document, issue)
    return to_bytes(document)


def sanction_recommendation(issue: Issue) -> bytes:
    """处分建议书 (Archives Law art. 48): to the appointing authority or supervisory organ; no penalty remedies."""
    document = head(issue, "处分建议书")
    add_text(document, f"{issue.get('appointing_authority')}：", indent=False)
    add_text(document, f"我局在依法查处{case_cause(issue)}中查明：{issue.get('found_facts')}。以上事实有"
                       f"{issue.get('evidence_summary')}等证据证实。")
    add_text(document, f"上述行为违反了{issue.get('legal_basis')}的规定，{issue.get('responsible_persons')}负有责任。"
                       f"依据{issue.get('decision_basis')}的规定，建议你单位依照管理权限对上述责任人员依法给予处分，"
                       "并将处理结果自收到本建议书之日起三十日内书面告知我局。")
    add_text(document, "附件：案件调查终结报告及证据材料复印件", indent=False)
    sign(document, issue)
    contact(document, issue)
    return to_bytes(document)


def service_receipt(issue: Issue) -> bytes:
    """送达回证: document and number, addressee, address, method, signature and date, proxy, witnesses, server."""
    document = head(issue, "送达回证")
    kind = issue.get("decision_doc_type") or "penalty_decision"
    served = f"《{DECISION_TITLES.get(kind, '行政处罚决定书')}》（{issue.earlier_number(*DECISION_TITLES)}）"
    method = issue.get("service_method")
    witness = (f"{issue.get('service_witness')}（见证人签名：{BLANK}）    留置理由：{issue.get('refusal_reason')}"
               if method == "left" else "—")
    proxy = (f"{issue.get('proxy_name')}（代收理由：{issue.get('proxy_reason')}）" if issue.get("proxy_name") else "—")
    rows = [["送达文书名称及文号", served], ["受送达人", str(issue.get("party_name"))],
            ["送达地址", str(issue.get("party_address"))], ["送达方式", SERVICE_METHODS.get(method, "")],
            ["送达地点", str(issue.get("service_place"))],
            ["送达时间", f"{date_text(issue.get('served_on'))}{issue.get('service_time')}"],
            ["受送达人签收", f"签名：{BLANK}    日期：{BLANK}"], ["代收人及代收理由", proxy],
            ["留置送达见证人", witness], ["送达人", f"{issue.get('servers')}    签名：{BLANK}"],
            ["备注", str(issue.get("service_note") or "—")]]
    add_table(document, ["项目", "内容"], rows, widths=[9, 24])
    sign(document, issue)
    return to_bytes(document)


def closure_report(issue: Issue) -> bytes:
    """结案报告: outcome, execution, closing date, opinions."""
    document = head(issue, "结案报告")
    execution = str(issue.get("execution_summary"))
    enforcement = issue.earlier_number("enforcement_application")
    if issue.get("decision_type") == "fine" and enforcement:
        execution = (f"应缴罚款{money_figures(issue.get('fine_amount', 0))}，加处罚款"
                     f"{money_figures(issue.get('late_penalty', 0))}，"
                     f"已缴纳{money_figures(issue.get('total_paid', 0))}；经催告仍未履行，"
                     f"已于{date_text(issue.get('application_date'))}向{issue.bureau.court}申请强制执行"
                     f"（{enforcement}）。{execution}")
    elif issue.get("decision_type") == "fine":
        execution = (f"应缴罚款{money_figures(issue.get('fine_amount', 0))}，加处罚款"
                     f"{money_figures(issue.get('late_penalty', 0))}，已缴纳{money_figures(issue.get('total_paid', 0))}"
                     f"（最后缴纳日期{date_text(issue.get('paid_on'))}）。{execution}")
    rows = [["案由", case_cause(issue)], ["当事人", str(issue.get("party_name"))],
            ["立案日期", date_text(issue.get("filed_on"))],
            ["处理决定", f"{proposal(issue)}（{issue.earlier_number(*DECISION_TITLES)}）"],
            ["执行情况", execution], ["结案日期", date_text(issue.issued_on)],
            ["承办人员", team_text(issue)], ["承办人意见", f"建议结案。    签名：{BLANK}"],
            _approval_cells("承办机构意见"), _approval_cells("负责人审批意见", issue.bureau.signatory)]
    add_table(document, ["项目", "内容"], rows, widths=[9, 24])
    return to_bytes(document)


CASE_RENDERERS: dict[str, Callable[[Issue], bytes]] = {
    "filing_approval": filing_approval, "evidence_list": evidence_list, "investigation_report": investigation_report,
    "legal_review_opinion": legal_review_opinion, "collective_discussion": collective_discussion,
    "prior_notice": prior_notice, "penalty_decision": penalty_decision, "no_penalty_decision": no_penalty_decision,
    "sanction_recommendation": sanction_recommendation, "service_receipt": service_receipt,
    "closure_report": closure_report,
}
