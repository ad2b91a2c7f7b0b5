"""Demo directories for the fictitious 示例市: objects, officers in three tiers, experts, conflicts, item lists.

All names carry （演示）; credit codes are constructed (valid check digits, area code 999999 which no real
area uses). Loading twice changes nothing (upsert by natural key through the normal services).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.clock import utcnow
from app.directories.models import InspectionObject, InspectionResult
from app.directories.services import records
from app.directories.services.credit_code import check_character
from app.directories.services.specs import (
    CONFLICTS,
    ENFORCEMENT_ITEMS,
    EXPERTS,
    INSPECTION_ITEMS,
    OBJECTS,
    OFFICERS,
)
from app.extensions import db

DEMO_AREA = "999999"
UNIT_KINDS = (("档案馆", "institution"), ("局", "agency"), ("协会", "organisation"), ("集团有限公司", "enterprise"))
DISTRICTS = ("示例区", "样本区", "演示县")
AREAS_OF_ART_42 = (
    ("档案工作责任制和管理制度建立落实情况", "查阅制度文本、岗位职责和落实记录"),
    ("档案库房、设施设备配置使用情况", "实地查看库房“八防”设施、温湿度记录"),
    ("档案工作人员配备情况", "查阅人员配备文件、培训记录"),
    ("档案收集、整理、保管、提供利用情况", "抽查归档范围、整理质量、借阅登记"),
    ("档案信息化建设和信息安全保障情况", "查看电子档案系统、备份与安全措施"),
    ("对所属单位档案工作的监督指导情况", "查阅监督指导记录"),
)


def demo_code(n: int) -> str:
    """A constructed credit code for demo unit n (area 999999: never a real one)."""
    body = f"12{DEMO_AREA}{n:09d}"
    return body + check_character(body)




def seed_directories(supervision: User, legal: User, inspector: User, expert: User, *, place: str = "示例市",
                     bureau_name: str = "示例市档案局", short_name: str = "示档", code_base: int = 0,
                     objects: int = 60, officers: int = 12, experts: int = 6) -> bool:
    """Create the demo directories unless present; True when something was created.

    Every demo officer signs in as `demo.inspector` and every expert as `demo.expert`, so whichever team is
    drawn, the demo accounts can do its tasks.
    """
    if db.session.scalar(select(InspectionObject.id).where(InspectionObject.credit_code == demo_code(code_base + 1))):
        return False
    today = utcnow().date()
    for n in range(1, objects + 1):
        suffix, kind = UNIT_KINDS[n % len(UNIT_KINDS)]
        records.create(supervision, OBJECTS, {
            "name": f"{place}第{n}{suffix}（演示）", "credit_code": demo_code(code_base + n), "unit_type": kind,
            "district": DISTRICTS[n % len(DISTRICTS)], "address": f"{place}{DISTRICTS[n % 3]}演示路 {n} 号",
            "contact_person": "联系人（演示）", "contact_phone": "0000-0000000", "archives_staff": "档案员（演示）"})
    tiers = ("副处级（领导职务）", "正科级", "副科级及以下")
    for n in range(1, officers + 1):
        officer = records.create(legal, OFFICERS, {
            "name": f"{'' if code_base == 0 else place}执法人员{n:02d}（演示）", "unit": f"{bureau_name}（演示）",
            "unit_credit_code": demo_code(code_base + 900),
            "tier_id": tiers[(n - 1) % 3], "certificate_no": f"{short_name}执{2026000 + n}",
            "certificate_valid_until": (today + timedelta(days=20 if n == 12 else 700)).isoformat(),
            "category": "档案", "region": place})
        officer.user_id = inspector.id
    for n in range(1, experts + 1):
        expert_record = records.create(legal, EXPERTS, {
            "code": f"ZJ-{n:03d}", "name": f"{'' if code_base == 0 else place}专家{n:02d}（演示）",
            "unit": f"{place}第{n * 7}档案馆（演示）",
            "unit_credit_code": demo_code(code_base + n * 7), "field": ("档案保护", "电子档案", "档案整理")[n % 3],
            "source": "lower_bureau" if n % 2 else "city_unit"})
        expert_record.user_id = expert.id
    records.create(legal, CONFLICTS, {"person_kind": "officer", "person_code": f"{short_name}执2026001",
                                      "object_id": demo_code(code_base + 5), "reason": "配偶在该单位工作（演示）"})
    for index, (item, method) in enumerate(AREAS_OF_ART_42, start=1):
        records.create(legal, INSPECTION_ITEMS, {
            "code": f"SJ-{index:02d}", "item": "档案执法监督检查", "sub_item": item, "inspecting_body": bureau_name,
            "legal_basis": "《中华人民共和国档案法》第四十二条", "method": "现场检查", "content": method,
            "ratio": "20%", "frequency": "每年一次"})
    records.create(legal, ENFORCEMENT_ITEMS, {
        "code": "ZF-48", "category": "行政处罚", "name": "对档案违法行为责任人员的处分建议",
        "legal_basis": "《中华人民共和国档案法》第四十八条", "discretion_standard": "依情节轻重提出处分建议",
        "responsible_office": "法制科", "time_limit": "90 日"})
    records.create(legal, ENFORCEMENT_ITEMS, {
        "code": "ZF-49", "category": "行政处罚", "name": "对档案违法行为的罚款",
        "legal_basis": "《中华人民共和国档案法》第四十九条",
        "discretion_standard": "单位 1 万–10 万元；个人 500–5000 元；档案服务企业 2 万–20 万元",
        "responsible_office": "法制科", "time_limit": "90 日"})
    db.session.flush()
    return True


def seed_last_years_draw(supervision: User, discipline: User, process_id: str) -> bool:
    """The previous cycle's draw (the year before the next draw), witnessed and confirmed, and the results of its
    inspections — so the next draw shows objects resting under the rest rule."""
    from app.directories.models import Tier
    from app.draws.models import Draw
    from app.draws.services import draws

    year = draws.next_draw_year() - 1
    from app.calendar.yearly import covered_years

    if db.session.scalar(select(Draw.id).where(Draw.year == year)) or year not in covered_years():
        return False
    tiers = list(db.session.scalars(select(Tier.id).order_by(Tier.position)))
    draw = draws.prepare(supervision, {"year": year, "ratio": "0.2", "rest_years": 1, "experts_per_team": 1,
                                       "tier_ids": tiers, "item_codes": [f"SJ-{i:02d}" for i in range(1, 7)],
                                       "period_start": f"{year}-03-01", "period_end": f"{year}-10-31"})
    draws.perform(discipline, draw, "351624")
    draws.confirm(supervision, draw, process_id)
    ids = {o["code"]: o["id"] for o in draw.pools["objects"]}
    for index, row in enumerate(draw.schedule or []):
        db.session.add(InspectionResult(object_id=ids[row["object"]], inspected_on=date.fromisoformat(row["date"]),
                                        outcome=("compliant", "compliant", "problems")[index % 3],
                                        note=f"{year} 年度随机抽查（演示）"))
    db.session.flush()
    return True
