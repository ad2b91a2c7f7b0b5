"""The texts of the inspection documents, laid out officially. Each renderer takes the case data and returns .docx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from app.documents.services.layout import (
    BODY_FONT,
    add_heading,
    add_number,
    add_table,
    add_text,
    add_title,
    official_document,
    set_fonts,
    to_bytes,
)

AREAS = {
    "responsibility": "档案工作责任制和管理制度",
    "storage": "档案库房、设施设备",
    "staffing": "档案工作人员配备",
    "management": "档案收集、整理、保管、提供利用",
    "information": "档案信息化建设和信息安全",
    "guidance": "对所属单位档案工作的监督指导",
}
CLOSING_WORDS = "以上笔录我看过，与我说的相符。"


def _team(data: dict[str, Any]) -> str:
    officers = "、".join(o["name"] for o in data.get("officers", []))
    experts = "、".join(e["name"] for e in data.get("experts", []))
    return officers + (f"（专家：{experts}）" if experts else "")


def _signature_footer(document: Document, parties: str) -> None:
    """A signature line in the footer, so it appears on every page of a transcript."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    set_fonts(paragraph.add_run(parties), BODY_FONT, 12)


def _head(title: str, number: str, agency: str) -> Document:
    document = official_document()
    add_title(document, title)
    add_number(document, number)
    return document


def inspection_notice(data: dict[str, Any], number: str, agency: str) -> bytes:
    """检查通知书."""
    document = _head("档案行政执法检查通知书", number, agency)
    add_text(document, f"{data.get('object_name', '')}：", indent=False)
    areas = "、".join(AREAS.get(a, a) for a in data.get("key_areas", []))
    add_text(document, f"根据《中华人民共和国档案法》第四十二条的规定，我局定于 {data.get('notice_date') or data.get('planned_date', '')} "
                       f"对你单位档案工作进行执法检查，重点检查：{areas or '档案工作情况'}。")
    add_text(document, f"检查组成员：{_team(data)}。请你单位做好准备，安排有关人员配合检查，并提供相关资料。")
    if data.get("plan_notes"):
        add_text(document, f"检查安排：{data['plan_notes']}")
    add_text(document, f"{agency}", indent=False)
    return to_bytes(document)


def onsite_record(data: dict[str, Any], number: str, agency: str) -> bytes:
    """现场检查笔录 (transcript: signature line on every page)."""
    document = _head("现场检查笔录", number, agency)
    _signature_footer(document, "被检查单位负责人签字：__________    检查人员签字：__________")
    add_text(document, f"被检查单位：{data.get('object_name', '')}（统一社会信用代码 {data.get('object_code', '')}）", indent=False)
    add_text(document, f"检查时间：{data.get('checked_on', '')}    检查人员：{_team(data)}", indent=False)
    add_text(document, "检查人员已出示行政执法证件，并告知检查目的、依据和被检查单位的权利义务。"
             if data.get("credentials_shown") and data.get("purpose_stated") else "（未记录出示证件和告知情况）", indent=False)
    add_heading(document, "检查情况")
    rows = [[AREAS.get(f.get("area", ""), f.get("area", "")), f.get("situation", ""), "是" if f.get("problem") else "否"]
            for f in data.get("findings", [])]
    add_table(document, ["检查方面", "检查情况", "发现问题"], rows or [["—", "—", "—"]], size=12)
    if data.get("av_missing_reason"):
        add_text(document, f"未进行音像记录的原因：{data['av_missing_reason']}")
    add_text(document, f"证据材料 {len(data.get('evidence') or [])} 件，音像记录 {len(data.get('av_records') or [])} 件（均已存档并记录 SHA-256）。")
    add_text(document, CLOSING_WORDS, indent=False)
    return to_bytes(document)


def inquiry_record(data: dict[str, Any], number: str, agency: str) -> bytes:
    """询问笔录 (transcript)."""
    document = _head("询问笔录", number, agency)
    _signature_footer(document, "被询问人签字：__________    询问人签字：__________    记录人签字：__________")
    add_text(document, f"被询问人：{data.get('inquiry_person', '')}    职务：{data.get('inquiry_position', '')}", indent=False)
    add_text(document, f"询问时间：{data.get('inquiry_date', '')}    询问人：{_team(data)}", indent=False)
    for qa in data.get("inquiry_qa", []):
        add_text(document, f"问：{qa.get('question', '')}", indent=False)
        add_text(document, f"答：{qa.get('answer', '')}", indent=False)
    add_text(document, CLOSING_WORDS, indent=False)
    return to_bytes(document)


def rectification_order(data: dict[str, Any], number: str, agency: str) -> bytes:
    """责令限期改正通知书."""
    document = _head("责令限期改正通知书", number, agency)
    add_text(document, f"{data.get('object_name', '')}：", indent=False)
    add_text(document, "经检查，你单位档案工作存在以下问题，依据《中华人民共和国档案法》的规定，责令你单位限期改正：")
    rows = [[str(i), p.get("problem", ""), f"{p.get('days', '')} 个工作日"]
            for i, p in enumerate(data.get("problems", []), start=1)]
    add_table(document, ["序号", "问题", "整改期限"], rows or [["—", "—", "—"]], size=12)
    add_text(document, f"请于 {data.get('rect_deadline_date', '')} 前完成整改，并将整改情况书面报告我局。逾期未改正的，"
                       "我局将依法处理。")
    add_text(document, f"{agency}", indent=False)
    return to_bytes(document)


def recheck_record(data: dict[str, Any], number: str, agency: str) -> bytes:
    """整改复查记录 (transcript)."""
    document = _head("整改复查记录", number, agency)
    _signature_footer(document, "被检查单位负责人签字：__________    复查人员签字：__________")
    add_text(document, f"被检查单位：{data.get('object_name', '')}    第 {data.get('rect_round', 1)} 轮整改", indent=False)
    add_text(document, f"单位整改报告：{data.get('report_summary', '')}", indent=False)
    add_text(document, f"复查结论：{'整改到位，予以验收' if data.get('accepted') else '整改未到位，继续整改'}。"
                       f"{data.get('recheck_notes', '')}", indent=False)
    add_text(document, CLOSING_WORDS, indent=False)
    return to_bytes(document)


def case_transfer(data: dict[str, Any], number: str, agency: str) -> bytes:
    """案件移送书 (to the legal section for case filing)."""
    document = _head("案件移送书", number, agency)
    add_text(document, "法制科：", indent=False)
    add_text(document, f"我局执法检查组在对{data.get('object_name', '')}的随机抽查中，发现其涉嫌存在档案违法行为：")
    add_text(document, data.get("transfer_facts", ""))
    add_text(document, f"涉嫌违反：{data.get('transfer_basis', '')}。现将有关材料移送你科，请依法立案查处。")
    add_text(document, f"移送人：{_team(data)}", indent=False)
    return to_bytes(document)


def results_report(data: dict[str, Any], number: str, agency: str) -> bytes:
    """抽查结果通报: the year's random-inspection results, for circulation and publication."""
    document = _head(f"关于{data.get('year', '')}年度档案执法随机抽查结果的通报", number, agency)
    add_text(document, "市直各单位：", indent=False)
    counts = data.get("counts", {})
    add_text(document, f"根据年度随机抽查工作安排，我局按照“双随机、一公开”要求，从 {data.get('eligible', 0)} 个检查对象中随机抽取 "
                       f"{data.get('selected', 0)} 个单位进行了档案执法检查。其中未发现违法行为 {counts.get('compliant', 0)} 个，"
                       f"发现问题责令整改 {counts.get('problems', 0)} 个，涉嫌违法移送立案 {counts.get('violation', 0)} 个，"
                       f"尚未完成检查 {counts.get('pending', 0)} 个。现将结果通报如下：")
    add_table(document, ["序号", "检查对象", "检查日期", "检查结论"],
              [[str(i), r["object"], r.get("date") or "—", r["outcome"]] for i, r in enumerate(data.get("rows", []), start=1)],
              size=12)
    add_text(document, "请各单位对照检查发现的问题，举一反三，切实做好档案工作。")
    add_text(document, agency, indent=False)
    return to_bytes(document)


RENDERERS: dict[str, Callable[[dict[str, Any], str, str], bytes]] = {
    "results_report": results_report,
    "inspection_notice": inspection_notice,
    "onsite_record": onsite_record,
    "inquiry_record": inquiry_record,
    "rectification_order": rectification_order,
    "recheck_record": recheck_record,
    "case_transfer": case_transfer,
}


PARTY_TYPES = {"unit": "单位", "person": "个人", "service_company": "档案服务企业"}
SOURCES = {"inspection": "随机抽查移送", "complaint": "投诉举报", "referral": "上级交办或移送", "other": "其他途径发现"}
DECISIONS = {"fine": "罚款", "sanction": "向任免机关或者监察机关提出处分建议", "no_penalty": "不予行政处罚"}
REVIEW_ELEMENTS = {
    "subject": "行政执法主体是否合法", "qualification": "行政执法人员是否具备执法资格", "facts": "主要事实是否清楚",
    "evidence": "证据是否确凿充分", "law": "适用法律法规规章是否准确", "discretion": "执行裁量基准是否适当",
    "procedure": "程序是否合法", "overreach": "是否有超越职权范围或滥用职权情形", "documents": "行政执法文书是否规范齐备",
    "crime": "违法行为是否涉嫌犯罪需要移送司法机关", "other": "其他应当审核的内容",
}
OUTCOMES = {"agree": "同意", "disagree": "不同意", "revise": "修改后再送审"}
SERVICE_METHODS = {"direct": "直接送达", "left": "留置送达", "entrusted": "委托送达", "post": "邮寄送达", "public": "公告送达"}


def _decision_text(data: dict[str, Any]) -> str:
    kind = data.get("decision_type", "")
    if kind == "fine":
        return f"罚款人民币 {data.get('fine_amount', 0)} 元"
    return DECISIONS.get(kind, kind)


def filing_approval(data: dict[str, Any], number: str, agency: str) -> bytes:
    """立案审批表."""
    document = _head("立案审批表", number, agency)
    add_table(document, ["项目", "内容"], [
        ["当事人", data.get("party_name", "")], ["当事人类型", PARTY_TYPES.get(data.get("party_type", ""), "")],
        ["案件来源", SOURCES.get(data.get("source", ""), "")], ["涉嫌违法事实", data.get("facts", "")],
        ["涉嫌违反的法律条款", data.get("legal_basis", "")],
        ["承办人员", "、".join(f"{o.get('name', '')}（{o.get('certificate_no', '')}）" for o in data.get("investigators", []))],
        ["承办人意见", "建议立案调查"], ["负责人审批", ""]], size=12)
    return to_bytes(document)


def evidence_list(data: dict[str, Any], number: str, agency: str) -> bytes:
    """证据清单."""
    document = _head("证据清单", number, agency)
    add_text(document, f"案件：{data.get('party_name', '')}涉嫌档案违法案", indent=False)
    add_table(document, ["序号", "证据名称", "来源", "证明事项"],
              [[str(i), e.get("name", ""), e.get("source", ""), e.get("proves", "")]
               for i, e in enumerate(data.get("evidence_items", []), start=1)] or [["—", "—", "—", "—"]], size=12)
    return to_bytes(document)


def investigation_report(data: dict[str, Any], number: str, agency: str) -> bytes:
    """调查终结报告."""
    document = _head("调查终结报告", number, agency)
    add_heading(document, "一、当事人基本情况")
    add_text(document, f"{data.get('party_name', '')}（{PARTY_TYPES.get(data.get('party_type', ''), '')}）。")
    add_heading(document, "二、违法事实")
    add_text(document, data.get("found_facts", ""))
    add_heading(document, "三、证据")
    add_text(document, data.get("evidence_summary", ""))
    add_heading(document, "四、处理意见及依据")
    add_text(document, f"建议：{_decision_text(data)}。依据：{data.get('decision_basis', '')}。")
    return to_bytes(document)


def legal_review_opinion(data: dict[str, Any], number: str, agency: str) -> bytes:
    """法制审核意见书: every review element, the outcome and the opinion."""
    document = _head("重大执法决定法制审核意见书", number, agency)
    add_text(document, f"送审事项：{data.get('party_name', '')}涉嫌档案违法案，拟{_decision_text(data)}。", indent=False)
    rows = [[label, "符合" if data.get(f"el_{key}") == "ok" else ("不符合" if data.get(f"el_{key}") == "problem" else "—")]
            for key, label in REVIEW_ELEMENTS.items()]
    add_table(document, ["审核要素", "审核情况"], rows, size=12)
    add_text(document, f"审核结论：{OUTCOMES.get(data.get('review_outcome', ''), '')}。{data.get('review_opinion', '')}")
    return to_bytes(document)


def collective_discussion(data: dict[str, Any], number: str, agency: str) -> bytes:
    """集体讨论笔录 (transcript)."""
    document = _head("集体讨论笔录", number, agency)
    _signature_footer(document, "主持人签字：__________    参加人员签字：__________    记录人签字：__________")
    add_text(document, f"讨论时间：{data.get('discussion_date', '')}    主持人：{data.get('chair', '')}", indent=False)
    add_text(document, f"参加人员：{data.get('participants', '')}", indent=False)
    add_text(document, f"讨论案件：{data.get('party_name', '')}涉嫌档案违法案（法制审核两次不同意）。", indent=False)
    add_text(document, f"讨论意见：{data.get('discussion', '')}", indent=False)
    add_text(document, f"结论：{'作出处罚决定' if data.get('collective_proceed') else '不作处罚决定'}。", indent=False)
    return to_bytes(document)


def prior_notice(data: dict[str, Any], number: str, agency: str) -> bytes:
    """行政处罚事先告知书 (statement, defence, hearing)."""
    document = _head("行政处罚事先告知书", number, agency)
    add_text(document, f"{data.get('party_name', '')}：", indent=False)
    add_text(document, f"经调查，你{'单位' if data.get('party_type') != 'person' else ''}{data.get('found_facts', '')}。"
                       f"依据{data.get('decision_basis', '')}，我局拟对你作出如下处理：{_decision_text(data)}。")
    add_text(document, "根据《中华人民共和国行政处罚法》的规定，你有权进行陈述和申辩；符合听证条件的，你有权在收到本告知书之日起"
                       "五个工作日内提出听证申请。逾期未提出的，视为放弃上述权利。")
    add_text(document, agency, indent=False)
    return to_bytes(document)


def hearing_notice(data: dict[str, Any], number: str, agency: str) -> bytes:
    """听证告知书 (at least 7 days ahead)."""
    document = _head("听证告知书", number, agency)
    add_text(document, f"{data.get('party_name', '')}：", indent=False)
    add_text(document, f"根据你的申请，我局定于 {data.get('hearing_date', '')} 在 {data.get('hearing_place', '')} 举行听证。"
                       f"听证主持人：{data.get('hearing_host', '')}。你可以委托一至二人代理参加听证。")
    add_text(document, agency, indent=False)
    return to_bytes(document)


def penalty_decision(data: dict[str, Any], number: str, agency: str) -> bytes:
    """行政处罚决定书, with the remedies (reconsideration 60 days, lawsuit 6 months)."""
    document = _head("行政处罚决定书", number, agency)
    add_text(document, f"当事人：{data.get('party_name', '')}", indent=False)
    add_text(document, f"经查，{data.get('found_facts', '')}。以上事实有{data.get('evidence_summary', '相关证据')}为证。")
    add_text(document, f"依据{data.get('decision_basis', '')}，本局决定：{_decision_text(data)}。")
    if data.get("decision_type") == "fine":
        add_text(document, "当事人应当自收到本决定书之日起十五日内缴纳罚款。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。")
    add_text(document, "如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。")
    add_text(document, agency, indent=False)
    return to_bytes(document)


def service_receipt(data: dict[str, Any], number: str, agency: str) -> bytes:
    """送达回证."""
    document = _head("送达回证", number, agency)
    add_table(document, ["项目", "内容"], [
        ["送达文书", "行政处罚决定书"], ["受送达人", data.get("party_name", "")],
        ["送达方式", SERVICE_METHODS.get(data.get("service_method", ""), "")], ["送达时间", data.get("served_on", "")],
        ["送达地点", data.get("service_place", "")], ["见证人", data.get("service_witness", "")],
        ["受送达人签收", ""], ["送达人签名", ""]], size=12)
    return to_bytes(document)


def closure_report(data: dict[str, Any], number: str, agency: str) -> bytes:
    """结案报告."""
    document = _head("结案报告", number, agency)
    add_text(document, f"案件：{data.get('party_name', '')}涉嫌档案违法案。立案日期：{data.get('filed_on', '')}。", indent=False)
    add_text(document, f"处理结果：{_decision_text(data)}。"
                       + (f"已于 {data.get('paid_on', '')} 缴纳罚款 {data.get('amount_paid', '')} 元，加处罚款 {data.get('late_penalty', 0)} 元。"
                          if data.get("decision_type") == "fine" else ""))
    add_text(document, f"执行情况：{data.get('execution_summary', '')}")
    add_text(document, "建议结案。", indent=False)
    return to_bytes(document)


RENDERERS.update({
    "filing_approval": filing_approval, "evidence_list": evidence_list, "investigation_report": investigation_report,
    "legal_review_opinion": legal_review_opinion, "collective_discussion": collective_discussion,
    "prior_notice": prior_notice, "hearing_notice": hearing_notice, "penalty_decision": penalty_decision,
    "service_receipt": service_receipt, "closure_report": closure_report,
})
