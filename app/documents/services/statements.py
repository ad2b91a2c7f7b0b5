"""询问笔录 — the same transcript for an inspection's inquiry and a case's investigation."""

from __future__ import annotations

from app.documents.services.chinese import date_text
from app.documents.services.context import Issue, age_from_id, people, person_text
from app.documents.services.layout import add_text, to_bytes
from app.documents.services.sheets import fields, head, transcript_end

GENDERS = {"male": "男", "female": "女"}


def case_cause(issue: Issue) -> str:
    """案由: the party (or inspected unit) and the suspected violation."""
    name = issue.get("party_name") or issue.get("object_name")
    return f"{name}涉嫌档案违法案" if issue.get("party_name") else f"对{name}的档案执法检查"


def inquiry_record(issue: Issue) -> bytes:
    """询问笔录: cause, times, place, askers and recorder with certificate numbers, the person asked, the identity
    shown and the rights told, questions and answers, the closing words; signature line on every page."""
    document = head(issue, "询问笔录", signature_line="被询问人签名：__________    询问人签名：__________    "
                                                  "记录人签名：__________")
    recorder = person_text(issue, issue.get("recorder"))
    askers = "、".join(f"{p['name']}（执法证号 {p['certificate_no']}）" for p in people(issue)
                      if p["certificate_no"] != issue.get("recorder"))
    fields(document, [
        ("案由", case_cause(issue)),
        ("询问时间", f"{date_text(issue.get('inquiry_date'))}{issue.get('inquiry_start')}至{issue.get('inquiry_end')}"),
        ("询问地点", str(issue.get("inquiry_place"))),
        ("询问人", askers),
        ("记录人", recorder),
        ("被询问人", f"{issue.get('inquiry_person')}    性别：{GENDERS.get(issue.get('inquiry_gender'), '')}    "
                  f"年龄：{age_from_id(issue.get('inquiry_id_no'), issue.issued_on)}岁"),
        ("身份证件号码", str(issue.get("inquiry_id_no"))),
        ("工作单位及职务", f"{issue.get('inquiry_unit') or issue.get('party_name') or issue.get('object_name')}"
                      f"　{issue.get('inquiry_position')}"),
        ("联系电话", str(issue.get("inquiry_phone"))),
        ("与本案关系", str(issue.get("inquiry_relation"))),
    ])
    add_text(document, f"问：我们是{issue.bureau.full_name}的执法人员，这是我们的行政执法证件（出示证件），请你过目。"
                       "现依法向你了解有关情况，你应当如实回答。你有陈述和申辩的权利；如认为询问人员与本案有直接"
                       "利害关系，可以申请回避。你听清楚了吗？是否申请回避？", indent=False)
    add_text(document, f"答：{issue.get('inquiry_ack') or '听清楚了，不申请回避。'}", indent=False)
    for qa in issue.data.get("inquiry_qa") or []:
        add_text(document, f"问：{qa.get('question', '')}", indent=False)
        add_text(document, f"答：{qa.get('answer', '')}", indent=False)
    transcript_end(document, issue, "被询问人", recorder)
    return to_bytes(document)
