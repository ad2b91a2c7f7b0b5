"""After the decision: the demand for payment (催告书) and the application to the court for enforcement
(强制执行申请书, Administrative Compulsion Law arts. 53–55; Administrative Penalty Law art. 72)."""

from __future__ import annotations

from collections.abc import Callable

from app.documents.services.chinese import date_text, money, money_figures
from app.documents.services.context import SERVICE_METHODS, Issue, party_lines, you
from app.documents.services.layout import add_text, to_bytes
from app.documents.services.sheets import BLANK, contact, head, sign

LATE_RULE = "加处罚款按日计算至缴清之日，加处罚款的数额不超过罚款数额。"


def _paid_so_far(issue: Issue, party: str) -> str:
    """截至 the day the late penalty was counted to: what was paid."""
    paid, until = float(issue.get("total_paid", 0) or 0), date_text(issue.get("accrued_on") or issue.issued_on)
    if paid <= 0:
        return f"截至{until}，{party}未缴纳罚款，"
    return f"截至{until}，{party}已缴纳{money_figures(paid)}，"


def demand_notice(issue: Issue) -> bytes:
    """催告书 (Administrative Compulsion Law art. 35): what is owed, the deadline, the right to be heard, what
    follows."""
    document = head(issue, "催告书")
    party = you(issue)
    add_text(document, f"{issue.get('party_name')}：", indent=False)
    add_text(document, f"我局于{date_text(issue.get('decision_date'))}作出《行政处罚决定书》"
                       f"（{issue.earlier_number('penalty_decision')}），决定对{party}罚款"
                       f"{money(issue.get('fine_amount', 0))}，"
                       f"该决定书已于{date_text(issue.get('served_on'))}送达。{party}应当在收到决定书之日起十五日内缴"
                       f"纳罚款。{_paid_so_far(issue, party)}"
                       f"依据《中华人民共和国行政处罚法》第七十二条第一款第（一）项加处罚款"
                       f"{money_figures(issue.get('late_penalty', 0))}，尚欠{money(issue.get('outstanding', 0))}。"
                       f"{LATE_RULE}")
    add_text(document, f"根据《中华人民共和国行政强制法》第三十五条、第五十四条的规定，现催告{party}自收到本催告书之"
                       f"日起十日内"
                       f"缴清上述款项（缴款银行：{issue.bureau.bank_name}；户名：{issue.bureau.account_name}；"
                       f"账号：{issue.bureau.account_no}）。{party}有权进行陈述和申辩。逾期仍不履行的，我局将依法申请"
                       "人民法院强制执行。")
    sign(document, issue)
    contact(document, issue)
    return to_bytes(document)


def enforcement_application(issue: Issue) -> bytes:
    """强制执行申请书 (arts. 53–55): applicant and respondent, what is to be enforced with the amounts, the facts
    (decision, service, no payment, demand, no reconsideration or lawsuit), the party's opinion and the demand,
    what is to be enforced, the court, attachments, the head of the bureau's signature, the seal and the date."""
    document = head(issue, "强制执行申请书")
    bureau = issue.bureau
    decision, demand = issue.earlier_number("penalty_decision"), issue.earlier_number("demand_notice")
    receipt = issue.earlier_number("service_receipt")
    add_text(document, f"申请人：{bureau.full_name}", indent=False)
    add_text(document, f"地址：{bureau.address}    联系电话：{bureau.phone}", indent=False)
    add_text(document, f"负责人：{bureau.signatory}", indent=False)
    for number, (label, value) in enumerate(party_lines(issue)):
        add_text(document, f"{'被申请人' if number == 0 else label}：{value}", indent=False)
    add_text(document, "申请事项：", indent=False)
    paid = float(issue.get("total_paid", 0) or 0)
    deducted = f"，扣除被申请人已缴纳的{money_figures(paid)}" if paid > 0 else ""
    add_text(document, f"请求依法强制执行申请人作出的《行政处罚决定书》（{decision}）确定的罚款"
                       f"{money(issue.get('fine_amount', 0))}及加处罚款{money(issue.get('late_penalty', 0))}"
                       f"（计算至{date_text(issue.get('accrued_on') or issue.issued_on)}）{deducted}，"
                       f"合计{money(issue.get('outstanding', 0))}。")
    add_text(document, "事实和理由：", indent=False)
    method = SERVICE_METHODS.get(str(issue.get("service_method")), "")
    decided, served = date_text(issue.get("decision_date")), date_text(issue.get("served_on"))
    add_text(document, f"申请人于{decided}对被申请人作出《行政处罚决定书》（{decision}），"
                       f"决定罚款{money(issue.get('fine_amount', 0))}，该决定书已于{served}"
                       f"{method or '送达'}被申请人（送达回证 {receipt}）。"
                       f"被申请人应当自收到决定书之日起十五日内缴纳罚款，但至{date_text(issue.get('pay_due'))}期满未缴清。"
                       f"申请人于{date_text(issue.get('demand_date'))}作出《催告书》（{demand}），催告被申请人自收到之日起"
                       f"十日内履行，被申请人逾期仍未履行。被申请人在法定期限内未申请行政复议，也未提起行政诉讼，"
                       f"行政复议和行政诉讼期限已于{date_text(issue.get('remedies_end'))}届满。")
    add_text(document, "依据《中华人民共和国行政处罚法》第七十二条第一款第（四）项和《中华人民共和国行政强制法》"
                       "第五十三条、第五十四条、第五十五条的规定，特申请贵院依法强制执行。")
    add_text(document, f"当事人的意见及催告情况：{issue.get('party_opinion')}")
    add_text(document, f"申请强制执行标的情况：{issue.get('enforcement_subject')}")
    attachments = [f"《行政处罚决定书》（{decision}）及作出决定的事实、理由和依据", f"送达回证（{receipt}）",
                   f"《催告书》（{demand}）及其送达凭证", "当事人的意见", "申请强制执行标的情况材料"]
    closing = [add_text(document, "此致"), add_text(document, str(bureau.court), indent=False),
               add_text(document, "附件：", indent=False)]
    closing += [add_text(document, f"{index}. {text}") for index, text in enumerate(attachments, start=1)]
    closing.append(add_text(document, f"负责人（签名）：{bureau.signatory}  {BLANK}", indent=False))
    for paragraph in closing:  # the signature never stands alone on the last page (GB/T 9704 7.3.5)
        paragraph.paragraph_format.keep_with_next = True
    sign(document, issue)
    contact(document, issue)
    return to_bytes(document)


EXECUTION_RENDERERS: dict[str, Callable[[Issue], bytes]] = {
    "demand_notice": demand_notice, "enforcement_application": enforcement_application,
}
