"""联合抽查: a city draw joined by a county's officers and experts. The county's pools are read only through an
audited widening of the city's scope, frozen and hashed separately, verified by the stand-alone verifier (the
autouse hook); the drawn county officer finds the city's inspection in their own inbox and works on it as the
city's guest — nothing else of the city, and nothing for the sibling county."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.bureaus.models import Bureau
from app.clock import utcnow
from app.directories.models import Officer, Tier
from app.draws.models import Draw
from app.extensions import db
from app.workflow.models import Case, Task
from tests.conftest import sign_in, user_for


def _bureau(part: str) -> Bureau:
    return db.session.scalar(select(Bureau).where(Bureau.name.contains(part)))


class _ids:  # noqa: N801 - a bureau's id, detached from the session
    def __init__(self, bureau: Bureau) -> None:
        self.id = bureau.id


def _county_user(key: str, role: Role) -> User:
    return db.session.scalar(select(User).where(User.username == f"demo.{key}.{role.value}"))


def _form(**extra):
    year = utcnow().year + 1
    tiers = [str(t) for t in db.session.scalars(select(Tier.id).order_by(Tier.position))]
    return {"year": str(year), "ratio": "10%", "rest_years": "1", "experts_per_team": "1", "experts_to_draw": "",
            "period_start": f"{year}-03-01", "period_end": f"{year}-10-31", "tier_ids": tiers, "item_codes": [],
            **extra}


def _only_county_officers_in(tier_name: str) -> None:
    """The city's officers of one tier stand aside, so every team's officer of that tier comes from the county."""
    tier = db.session.scalar(select(Tier).where(Tier.name == tier_name))
    for officer in db.session.scalars(select(Officer).where(Officer.tier_id == tier.id)):
        officer.active = False
    db.session.commit()  # the requests' sessions see it (the test's outer transaction still rolls it back)


def test_the_prepare_form_offers_the_subordinate_bureaus_only_to_a_bureau_that_has_some(app, as_role):
    page = as_role(Role.SUPERVISION).get("/draws/new").get_data(as_text=True)
    assert "联合抽查（可选）" in page and "示例市甲县档案局" in page and "示例市乙区档案局" in page
    county = sign_in(app.test_client(), _county_user("jia", Role.SUPERVISION))
    assert "联合抽查（可选）" not in county.get("/draws/new").get_data(as_text=True)


def test_a_county_cannot_pull_in_its_sibling_nor_the_city_its_parent(app):
    jia, yi = _bureau("甲县"), _bureau("乙区")
    county = sign_in(app.test_client(), _county_user("jia", Role.SUPERVISION))
    for target in (yi.id, 1):
        response = county.post("/draws/new", data=_form(joint_officer_bureaus=[str(target)]))
        assert response.status_code == 400
        assert "联合抽查只能选择本局下级档案局的执法人员或专家" in response.get_data(as_text=True)
    with context.use(context.for_bureau(jia.id)):
        assert db.session.scalar(select(Draw.id)) is None  # nothing was prepared
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bureau.scope_widened")).all()


def test_joint_draw_freezes_each_bureaus_pools_and_the_drawn_county_officer_works_on_it_as_a_guest(app, as_role):
    jia, yi = _ids(_bureau("甲县")), _ids(_bureau("乙区"))
    db.session.expunge_all()  # plain ids below: every request ends the shared session
    _only_county_officers_in("正科级")
    supervision = as_role(Role.SUPERVISION)
    response = supervision.post("/draws/new", data=_form(joint_officer_bureaus=[str(jia.id)],
                                                         joint_expert_bureaus=[str(jia.id)]))
    assert response.status_code == 302, response.get_data(as_text=True)
    draw_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    draw = db.session.get(Draw, draw_id)
    assert draw.bureau_id == 1 and draw.params["joint"] == {"officers": [jia.id], "experts": [jia.id]}
    [part] = draw.pools["joint"]
    assert part["bureau"] == jia.id and part["name"] == "示例市甲县档案局"
    jia_officers = {o["code"] for t in part["tiers"] for o in t["officers"]}
    assert jia_officers == {f"甲档/甲档执{2026000 + n}" for n in range(1, 7)}  # all six, by tier name
    assert {e["code"] for e in part["experts"]} == {"甲档/ZJ-001", "甲档/ZJ-002", "甲档/ZJ-003"}
    assert {f"joint:{jia.id}:name", f"joint:{jia.id}:tier:正科级", f"joint:{jia.id}:experts"} <= set(
        draw.pool_hashes)
    assert not any(k.startswith(f"joint:{yi.id}:") for k in draw.pool_hashes)
    widened = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bureau.scope_widened")).all()
    assert [(e.details["purpose"], e.details["bureaus"]) for e in widened] == [("draw.joint_pools", [jia.id])]
    page = supervision.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert "示例市甲县档案局 · 正科级" in page and "示例市甲县档案局 · 专家" in page

    assert as_role(Role.DISCIPLINE).post(f"/draws/{draw.id}/perform", data={"entropy": "4152634"}).status_code == 302
    draw = db.session.get(Draw, draw_id)
    assert draw.status == "drawn", draw.attempts
    zheng = next(t for t in draw.result["tiers"] if t["tier"] == "正科级")
    assert set(zheng["assignment"].values()) <= jia_officers  # every team's 正科级 officer is the county's
    assert "核验通过" in supervision.post(f"/draws/{draw.id}/verify").get_data(as_text=True)
    confirmed = supervision.post(f"/draws/{draw.id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "已确认，并启动" in confirmed
    draw = db.session.get(Draw, draw_id)

    inspector = _county_user("jia", Role.INSPECTOR)
    inspector_id = inspector.id
    plan_tasks = list(db.session.scalars(select(Task).join(Case).where(Task.element_id == "plan",
                                                                         Case.created_at >= draw.confirmed_at)))
    assert plan_tasks and all(t.bureau_id == 1 for t in plan_tasks)
    assert all(inspector.id in {a.user_id for a in t.assignees} for t in plan_tasks)

    # One inspection of the city no longer names the county officer and is open to every inspector: an
    # unrestricted task of the host bureau must still stay out of the guest's inbox and pages.
    assert len(plan_tasks) >= 2
    plan_ids = [t.id for t in plan_tasks]
    unnamed = plan_tasks[-1]
    unnamed.restricted = False
    unnamed.assignees = [a for a in unnamed.assignees if a.user_id != inspector_id]
    unnamed_id, unnamed_case = unnamed.id, unnamed.case_id
    db.session.commit()

    county = sign_in(app.test_client(), _county_user("jia", Role.INSPECTOR))
    inbox = county.get("/tasks").get_data(as_text=True)
    assert inbox.count('data-testid="joint-task"') == 2 * (len(plan_ids) - 1)  # card and table row per task
    assert "联合抽查 · 示例市档案局" in inbox
    for task_id in plan_ids[:-1]:
        assert f"/tasks/{task_id}\"" in inbox
    assert f"/tasks/{unnamed_id}\"" not in inbox
    assert county.get(f"/tasks/{unnamed_id}").status_code == 404
    assert county.get(f"/cases/{unnamed_case}").status_code == 404
    city_inspector = sign_in(app.test_client(), user_for(Role.INSPECTOR))
    assert f"/tasks/{unnamed_id}\"" in city_inspector.get("/tasks").get_data(as_text=True)

    task_id = plan_ids[0]
    case_id = db.session.get(Task, task_id).case_id
    assert county.get(f"/tasks/{task_id}").status_code == 200
    assert county.get(f"/cases/{case_id}").status_code == 200
    done = county.post(f"/tasks/{task_id}", data={"f.key_areas": ["storage", "management"],
                                                  "f.notice_date": _planned(case_id)})
    assert done.status_code in (302, 303), re.findall(r"(?:invalid-feedback[^>]*>|alert-danger[^>]*>)([^<]+)",
                                                      done.get_data(as_text=True))
    db.session.expire_all()
    with context.use(context.SYSTEM):
        finished = db.session.get(Task, task_id)
        assert finished.state == "completed" and finished.completed_by_id == inspector_id
        assert finished.bureau_id == 1  # the work stays the city's
        guest = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bureau.guest_write")).all()
        assert [(e.details["host_bureau"], e.details["own_bureau"], e.bureau_id) for e in guest] == [
            (1, jia.id, 1)]

    sibling = sign_in(app.test_client(), _county_user("yi", Role.INSPECTOR))
    assert "joint-task" not in sibling.get("/tasks").get_data(as_text=True)
    assert sibling.get(f"/tasks/{plan_ids[1]}").status_code == 404
    assert sibling.get(f"/cases/{case_id}").status_code == 404


def _planned(case_id: int) -> str:
    from app.workflow.services import cases

    with context.use(context.SYSTEM):
        return str(cases.case_data(db.session.get(Case, case_id))["planned_date"])
