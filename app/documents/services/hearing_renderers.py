"""听证通知书 and 听证笔录."""

from __future__ import annotations

from collections.abc import Callable

from app.documents.services.chinese import date_text
from app.documents.services.context import Issue, team_text, you
from app.documents.services.layout import add_text, to_bytes
from app.documents.services.sheets import contact, fields, head, sign, transcript_end
from app.documents.services.statements import case_cause


def hearing_notice(issue: Issue) -> bytes:
    """听证通知书: when and where, the host (not an investigator) and clerk, the party's rights; 7 days ahead."""
    document = head(issue, "听证通知书")
    party = you(issue)
    add_text(document, f"{issue.get('party_name')}：", indent=False)
    add_text(document, f"根据{party}的申请，我局定于{date_text(issue.get('hearing_date'))}{issue.get('hearing_time')}在"
                       f"{issue.get('hearing_place')}就{case_cause(issue)}举行听证。听证主持人："
                       f"{issue.get('hearing_host')}；"
                       f"书记员：{issue.get('hearing_clerk')}。")
    add_text(document, f"{party}可以亲自参加听证，也可以委托一至二人代理；委托代理人参加的，应当提交授权委托书。"
                       f"{party}认为"
                       "主持人、书记员与本案有直接利害关系的，有权申请回避。请携带身份证明、有关证据材料准时参加；无"
                       "正当理由"
                       "拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利。")
    sign(document, issue)
    contact(document, issue)
    return to_bytes(document)


def hearing_record(issue: Issue) -> bytes:
    """听证笔录: time, place, host, clerk, participants, the investigators' case, the party's statement, the
    cross-examination, final statements; the party checks and signs every page."""
    document = head(issue, "听证笔录", signature_line="当事人签名：__________    主持人签名：__________    "
                                                  "书记员签名：__________")
    fields(document, [
        ("案由", case_cause(issue)),
        ("听证时间", f"{date_text(issue.get('hearing_date'))}{issue.get('hearing_start')}至{issue.get('hearing_end')}"),
        ("听证地点", str(issue.get("hearing_place"))),
        ("听证主持人", str(issue.get("hearing_host"))), ("书记员", str(issue.get("hearing_clerk"))),
        ("当事人及委托代理人", str(issue.get("hearing_attendees"))),
        ("案件调查人员", team_text(issue)),
    ])
    add_text(document, "主持人宣布听证纪律，核对参加人身份，告知当事人的权利义务，询问当事人是否申请回避。当事人表示"
                       "不申请回避。")
    add_text(document, f"调查人员提出违法事实、证据和拟作出的行政处罚建议：{issue.get('hearing_case_statement')}")
    add_text(document, f"当事人陈述、申辩：{issue.get('hearing_party_statement')}")
    add_text(document, f"质证和辩论：{issue.get('hearing_cross_exam')}")
    add_text(document, f"当事人最后陈述：{issue.get('hearing_final_statement')}")
    transcript_end(document, issue, "当事人", f"{issue.get('hearing_clerk')}（书记员）")
    return to_bytes(document)


HEARING_RENDERERS: dict[str, Callable[[Issue], bytes]] = {"hearing_notice": hearing_notice,
                                                          "hearing_record": hearing_record}
