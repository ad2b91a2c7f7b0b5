"""The scoping mechanism itself: reads filtered, writes checked, no context reads nothing, per-bureau numbers,
calendars and unique keys, and the upward roll-up."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.bureaus.models import Bureau
from app.bureaus.services import rollup
from app.bureaus.services.tree import create_bureau, descendant_ids
from app.calendar.services import WorkingDays, set_override
from app.directories.models import InspectionObject, Tier
from app.documents.services.documents import generate
from app.errors import PermissionDenied
from app.extensions import db
from app.workflow.models import Case
from tests.bureaus.samples import transfer_data
from tests.conftest import sign_in, user_for


def _jia() -> Bureau:
    return db.session.scalar(select(Bureau).where(Bureau.name.contains("甲县")))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_reads_are_filtered_by_the_current_bureau():
    jia = _jia()
    city_objects = _count(InspectionObject)
    with context.use(context.for_bureau(jia.id)):
        county_objects = _count(InspectionObject)
        names = list(db.session.scalars(select(InspectionObject.name)))
    with context.use(context.SYSTEM):
        everything = _count(InspectionObject)
    assert city_objects == 60 and county_objects == 20 and everything == 100
    assert all(name.startswith("甲县") for name in names)
    with context.use(context.for_bureau(1, descendant_ids(1))):
        assert _count(InspectionObject) == 100


def test_no_context_reads_nothing_and_writes_nothing():
    with context.use(context.NOTHING):
        assert _count(Case) == 0 and _count(InspectionObject) == 0
        db.session.add(Tier(name="无上下文", position=9, active=True))
        with pytest.raises(PermissionDenied):
            db.session.flush()
    db.session.rollback()


def test_bulk_update_is_scoped_too():
    jia = _jia()
    with context.use(context.for_bureau(jia.id)):
        changed = db.session.execute(update(InspectionObject).values(district="改")).rowcount
    assert changed == 20
    assert db.session.scalar(select(func.count()).where(InspectionObject.district == "改")) == 0


def test_a_higher_bureau_reads_down_but_cannot_write_down():
    jia = _jia()
    with context.use(context.for_bureau(1, descendant_ids(1))):
        county_object = db.session.scalar(select(InspectionObject).where(InspectionObject.bureau_id == jia.id))
        county_object.name = "城市改写"
        with pytest.raises(PermissionDenied):
            db.session.flush()
    db.session.rollback()


def test_city_leader_cannot_complete_a_county_task(app):
    """On the task page the city reads down (GET); a POST works in its own bureau only: the county task is 404."""
    with context.use(context.SYSTEM):
        jia = _jia()
        case = db.session.scalar(select(Case).where(Case.bureau_id == jia.id))
        from app.workflow.models import Task

        task = db.session.scalar(select(Task).where(Task.case_id == case.id))
        legal = db.session.scalar(select(User).where(User.username == "demo.legal"))
    client = sign_in(app.test_client(), user_for(Role.LEADER))
    assert client.get(f"/tasks/{task.id}").status_code in (200, 403)
    assert sign_in(app.test_client(), legal).post(f"/tasks/{task.id}", data={}).status_code == 404


def test_document_numbers_and_counters_are_per_bureau():
    jia = _jia()
    city_doc = generate(user_for(Role.LEGAL), "case_transfer", transfer_data("甲"))
    with context.use(context.for_bureau(jia.id)):
        county_doc = generate(None, "case_transfer", transfer_data("乙"))
        second = generate(None, "case_transfer", transfer_data("丙"))
    assert city_doc.number.startswith("示档") and county_doc.number.startswith("甲档移送")
    assert county_doc.seq == 1 and second.seq == 2 and county_doc.bureau_id == jia.id


def test_calendar_overrides_and_natural_keys_are_per_bureau():
    jia = _jia()
    day = date(2031, 10, 11)  # a Saturday
    with context.use(context.for_bureau(jia.id)):
        set_override(user_for(Role.ADMIN), day, True, "甲县调休")
        assert WorkingDays().is_workday(day)
        # the same credit code may exist in two bureaus' directories (each upserts by its own key)
        code = db.session.scalar(select(InspectionObject.credit_code).limit(1))
    assert not WorkingDays().is_workday(day)  # the city's calendar knows nothing of it
    db.session.add(InspectionObject(name="同码单位", credit_code=code, unit_type="agency", active=True))
    db.session.flush()


def test_new_bureaus_get_default_tiers_and_sit_in_the_tree():
    bureau = create_bureau(user_for(Role.ADMIN), name="示例市丙县档案局", short_name="丙档", level="county",
                           parent_id=1)
    assert bureau.id in descendant_ids(1)
    with context.use(context.for_bureau(bureau.id)):
        assert list(db.session.scalars(select(Tier.name).order_by(Tier.position))) == [
            "副处级（领导职务）", "正科级", "副科级及以下"]


def test_rollup_per_county_and_total():
    with context.use(context.for_bureau(1, descendant_ids(1))):
        rows, total = rollup.rollup(1)
    by_name = {row.bureau.name: row.figures for row in rows}
    assert [row.bureau.id for row in rows][0] == 1 and len(rows) == 3
    assert by_name["示例市甲县档案局"]["objects"] == 20 and by_name["示例市甲县档案局"]["cases_running"] == 1
    assert total.figures["objects"] == 100
    assert total.figures["cases_running"] == sum(row.figures["cases_running"] for row in rows)
    with context.use(context.for_bureau(1)):  # without the reach down the counties count nothing
        rows, total = rollup.rollup(1)
    assert total.figures["objects"] == 60
