"""The texts of the inspection documents, laid out officially. Each renderer takes an `Issue` and returns .docx.

`RENDERERS` also holds the case documents (`case_renderers`)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from app.documents.services.case_renderers import CASE_RENDERERS
from app.documents.services.chinese import date_text
from app.documents.services.context import AREAS, Issue, person_text, team_text
from app.documents.services.execution_renderers import EXECUTION_RENDERERS
from app.documents.services.hearing_renderers import HEARING_RENDERERS
from app.documents.services.layout import add_heading, add_table, add_text, to_bytes
from app.documents.services.sheets import contact, fields, head, sign, transcript_end
from app.documents.services.statements import inquiry_record
from app.statistics.services import charts

DEFAULT_MATERIALS = "档案工作制度、档案工作人员配备情况、档案库房管理及温湿度记录、档案目录、档案利用登记等有关资料"
ARCHIVES_LAW_42 = "《中华人民共和国档案法》第四十二条"


def inspection_notice(issue: Issue) -> bytes:
    """检查通知书: unit, items, basis, date, officers with certificate numbers, materials to prepare."""
    document = head(issue, "档案行政执法检查通知书")
    add_text(document, f"{issue.get('object_name')}：", indent=False)
    areas = "、".join(AREAS.get(a, a) for a in issue.data.get("key_areas") or [])
    add_text(document, f"根据{ARCHIVES_LAW_42}的规定，我局决定于{date_text(issue.get('notice_date'))}对你单位档案工作"
                       "进行执法检查。现将有关事项通知如下：")
    add_text(document, f"一、检查事项：{areas}。")
    add_text(document, f"二、检查依据：{ARCHIVES_LAW_42}。")
    add_text(document, f"三、检查人员：{team_text(issue)}。检查人员将出示行政执法证件。")
    add_text(document, f"四、请准备以下材料：{issue.get('materials') or DEFAULT_MATERIALS}。")
    if issue.get("plan_notes"):
        add_text(document, f"五、其他事项：{issue.get('plan_notes')}")
    add_text(document, "请你单位安排负责人和档案工作人员在场，配合检查。")
    sign(document, issue)
    contact(document, issue)
    return to_bytes(document)


def onsite_record(issue: Issue) -> bytes:
    """现场检查笔录 (transcript: the party and officers sign every page; closing words at the end)."""
    document = head(issue, "现场检查笔录",
                    signature_line="被检查单位负责人签名：__________    检查人员签名：__________")
    day = date_text(issue.get("checked_on"))
    fields(document, [
        ("检查时间", f"{day}{issue.get('start_time')}至{issue.get('end_time')}"),
        ("检查地点", str(issue.get("place") or issue.get("object_address"))),
        ("被检查单位", str(issue.get("object_name"))),
        ("统一社会信用代码", str(issue.get("object_code"))),
        ("在场负责人", f"{issue.get('present_person')}（{issue.get('present_position')}）"),
        ("检查人员", team_text(issue)),
        ("记录人", person_text(issue, issue.get("recorder"))),
    ])
    shown = issue.data.get("credentials_shown") and issue.data.get("purpose_stated")
    add_text(document, "检查人员已向被检查单位出示行政执法证件，告知检查的目的、依据和被检查单位的权利义务。" if shown
             else "检查人员未记录出示证件和告知情况。")
    add_heading(document, "检查情况")
    rows = [[AREAS.get(f.get("area", ""), f.get("area", "")), f.get("situation", ""), "是" if f.get("problem") else "否"]
            for f in issue.data.get("findings") or []]
    add_table(document, ["检查方面", "检查情况", "发现问题"], rows)
    evidence = len(issue.data.get("evidence") or [])
    av = len(issue.data.get("av_records") or [])
    add_text(document, f"现场取得证据材料 {evidence} 件，音像记录 {av} 件。"
             + (f"未进行音像记录的原因：{issue.get('av_missing_reason')}。" if not av else ""))
    transcript_end(document, issue, "被检查单位负责人", person_text(issue, issue.get("recorder")))
    return to_bytes(document)


def rectification_order(issue: Issue) -> bytes:
    """责令限期改正通知书: problems, provisions, what to do, the deadline and what follows if it passes."""
    document = head(issue, "责令限期改正通知书")
    add_text(document, f"{issue.get('object_name')}：", indent=False)
    checked = date_text(issue.get("checked_on"))
    add_text(document, f"我局执法检查组于{checked}对你单位档案工作进行了检查，发现你单位存在下列问题，违反了"
                       f"{issue.get('rect_basis')}的规定。根据《中华人民共和国档案法》第四十二条、第四十八条的规定，"
                       "现责令你单位限期改正：")
    rows = [[str(i), p.get("problem", ""), f"{p.get('days', '')}个工作日"]
            for i, p in enumerate(issue.data.get("problems") or [], start=1)]
    add_table(document, ["序号", "存在问题", "整改期限"], rows)
    add_text(document, f"请你单位于{date_text(issue.get('rect_deadline_date'))}前完成整改，并将整改情况书面报告我局。"
                       "逾期不改正的，我局将依照《中华人民共和国档案法》第四十八条的规定依法处理。")
    sign(document, issue)
    contact(document, issue)
    return to_bytes(document)


def recheck_record(issue: Issue) -> bytes:
    """整改复查记录 (transcript)."""
    document = head(issue, "整改复查记录", signature_line="被检查单位负责人签名：__________    复查人员签名：__________")
    fields(document, [("被检查单位", str(issue.get("object_name"))),
                      ("整改轮次", f"第{issue.get('rect_round', 1)}轮"),
                      ("复查日期", date_text(issue.issued_on)),
                      ("复查人员", team_text(issue))])
    add_text(document, f"单位整改报告：{issue.get('report_summary')}")
    verdict = "整改到位，予以验收" if issue.data.get("accepted") else "整改未到位，继续整改"
    add_text(document, f"复查情况：{issue.get('recheck_notes')}")
    add_text(document, f"复查结论：{verdict}。")
    transcript_end(document, issue, "被检查单位负责人")
    return to_bytes(document)


def case_transfer(issue: Issue) -> bytes:
    """案件移送书 (to the legal section for case filing)."""
    document = head(issue, "案件移送书")
    add_text(document, "法制科：", indent=False)
    add_text(document, f"我局执法检查组于{date_text(issue.get('checked_on'))}在对{issue.get('object_name')}"
                       f"（统一社会信用代码 {issue.get('object_code')}）的随机抽查中，发现其涉嫌存在下列档案违法行为：")
    add_text(document, str(issue.get("transfer_facts")))
    add_text(document, f"上述行为涉嫌违反{issue.get('transfer_basis')}的规定。现将现场检查笔录、证据材料等有关材料"
                       "移送你科，请依法立案查处。")
    add_text(document, f"移送人：{team_text(issue)}", indent=False)
    sign(document, issue, seal=False)
    return to_bytes(document)


def results_report(issue: Issue) -> bytes:
    """抽查结果通报: the year's random-inspection results, for circulation and publication."""
    document = head(issue, f"关于{issue.get('year')}年度档案执法随机抽查结果的通报")
    counties = issue.data.get("counties") or []
    add_text(document, "市直各单位，各县（区）档案局：" if counties else "市直各单位：", indent=False)
    counts = issue.data.get("counts") or {}
    add_text(document, f"根据年度随机抽查工作安排，我局按照“双随机、一公开”要求，从{issue.get('eligible', 0)}个检查对象中"
                       f"随机抽取{issue.get('selected', 0)}个单位进行了档案执法检查。其中未发现违法行为"
                       f"{counts.get('compliant', 0)}个，发现问题责令整改{counts.get('problems', 0)}个，涉嫌违法移送立案"
                       f"{counts.get('violation', 0)}个，尚未完成检查{counts.get('pending', 0)}个。现将结果通报如下：")
    add_table(document, ["序号", "检查对象", "统一社会信用代码", "检查日期", "检查结论"],
              [[str(i), r["object"], r.get("credit_code", ""), date_text(r.get("date")) or "—", r["outcome"]]
               for i, r in enumerate(issue.data.get("rows") or [], start=1)], size=10.5)
    add_chart(document, charts.pie_png("检查结论分布", ["未发现违法行为", "发现问题责令整改", "涉嫌违法移送立案", "尚未完成检查"],
                                       [counts.get(k, 0) for k in ("compliant", "problems", "violation", "pending")]),
              "图1  检查结论分布")
    areas = issue.data.get("areas") or {}
    if any(areas.values()):
        add_chart(document, charts.bar_png("发现问题（按《档案法》第四十二条所列方面）", [AREAS.get(k, k) for k in areas],
                                           {"问题数": list(areas.values())}), "图2  发现问题的方面")
    if counties:
        _county_section(document, issue.data, counties)
    add_text(document, "请各单位对照检查发现的问题，举一反三，切实做好档案工作。")
    sign(document, issue)
    return to_bytes(document)


def add_chart(document: object, png: bytes | None, caption: str) -> None:
    """A chart image (15 cm wide) with its caption centred below; nothing when no chart could be drawn."""
    if png is None:
        return
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document.add_picture(io.BytesIO(png), width=Cm(15))  # type: ignore[attr-defined]
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
    add_text(document, caption, size=10.5, indent=False)  # type: ignore[arg-type]
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]


ANNUAL_SECTIONS = (("overview", "一、总体情况"), ("publicity", "二、行政执法公示制度执行情况"),
                   ("recording", "三、执法全过程记录制度执行情况"), ("review", "四、重大执法决定法制审核制度执行情况"),
                   ("problems", "五、存在的问题"), ("plans", "六、下一步工作打算"))


def annual_report(issue: Issue) -> bytes:
    """三项制度 annual work report: the edited sections, the year's figures as tables and charts."""
    document = head(issue, f"{issue.get('bureau_name') or issue.bureau.name}{issue.get('year')}年度"
                           "行政执法“三项制度”工作报告")
    sections = issue.data.get("sections") or {}
    figures = issue.data.get("figures") or []
    number = 0
    for key, title in ANNUAL_SECTIONS:
        add_heading(document, title)
        for paragraph in str(sections.get(key) or "").split("\n"):
            if paragraph.strip():
                add_text(document, paragraph.strip())
        for figure in (f for f in figures if f.get("section") == key):
            add_table(document, figure["headers"], [[str(v) for v in row] for row in figure["rows"]], size=10.5)
            labels = [str(row[0]) for row in figure["rows"]]
            values = [float(row[1] or 0) for row in figure["rows"]]
            png = (charts.pie_png(figure["title"], labels, values) if figure.get("chart") == "pie"
                   else charts.bar_png(figure["title"], labels, {figure["headers"][1]: values}))
            if png is not None:
                number += 1
                add_chart(document, png, f"图{number}  {figure['title']}")
    sign(document, issue)
    return to_bytes(document)


def _county_section(document: Any, data: dict[str, Any], counties: list[dict[str, Any]]) -> None:
    """各县（区）抽查结果 and the totals of the city and its counties."""
    total = data["totals"]
    add_text(document, f"{data.get('year')}年度，各县（区）档案局共完成随机抽查{sum(r['draws'] for r in counties)}次。"
                       f"全市（含本局）共抽取{total['selected']}个单位，其中未发现违法行为{total['counts']['compliant']}个，"
                       f"发现问题责令整改{total['counts']['problems']}个，涉嫌违法移送立案{total['counts']['violation']}个，"
                       f"尚未完成检查{total['counts']['pending']}个。各县（区）情况如下：")

    def cells(name: str, row: dict[str, Any]) -> list[str]:
        c = row["counts"]
        return [name, str(row["draws"]), str(row["eligible"]), str(row["selected"]), str(c["compliant"]),
                str(c["problems"]), str(c["violation"]), str(c["pending"])]

    add_table(document, ["单位", "抽查次数", "检查对象", "抽取单位", "未发现违法行为", "责令整改", "移送立案", "尚未完成"],
              [cells("本局", data["own"]), *[cells(r["bureau"], r) for r in counties], cells("合计", total)],
              size=10.5)


RENDERERS: dict[str, Callable[[Issue], bytes]] = {
    "annual_report": annual_report,
    "results_report": results_report,
    "inspection_notice": inspection_notice,
    "onsite_record": onsite_record,
    "inquiry_record": inquiry_record,
    "rectification_order": rectification_order,
    "recheck_record": recheck_record,
    "case_transfer": case_transfer,
    **CASE_RENDERERS,
    **EXECUTION_RENDERERS,
    **HEARING_RENDERERS,
}
