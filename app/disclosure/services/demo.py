"""Demo disclosure: each demo bureau's officer list published, the city's decision and result drafts made by the
demo history published by its legal section within their deadlines, and the city's implementation plan."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.clock import set_clock, utcnow
from app.disclosure.models import DisclosureItem
from app.disclosure.services import drafts, publishing
from app.extensions import db

PLAN_TITLE = "“双随机、一公开”监管实施方案（演示数据）"
PLAN_TEXT = ("一、抽查对象：本市机关、团体、企业事业单位和其他组织（以检查对象名录库为准）。\n"
             "二、抽查比例和频次：每年抽取名录库中不低于 20% 的单位开展检查；"
             "近两年检查无问题的单位可以不列入当年抽取范围。\n"
             "三、抽查方式：“三随机”——随机抽取检查对象、执法检查人员和专家，纪检人员全程见证。\n"
             "四、结果公开：抽查结果自作出之日起 20 个工作日内通过执法公示栏目向社会公开。")


def seed_disclosure(legal: User, plan: bool = False) -> bool:
    """Publish what the demo's procedures drafted in the working bureau (once); False when already done."""
    if db.session.scalar(select(DisclosureItem.id).where(DisclosureItem.status != "draft").limit(1)):
        return False
    if plan:
        drafts.create_manual(legal, "implementation_plan", str(utcnow().year), PLAN_TITLE, PLAN_TEXT)
    for item in list(db.session.scalars(select(DisclosureItem).where(DisclosureItem.status == "draft")
                                                   .order_by(DisclosureItem.id))):
        moment = min(item.created_at + timedelta(days=2), utcnow())  # within its deadline
        set_clock(lambda moment=moment: moment)
        try:
            publishing.publish(legal, item, item.title, item.body)
        finally:
            set_clock(None)
    return True
