"""Directory records: validation, permissions, audit old → new, never deleted, search and filters."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.clock import utcnow
from app.directories.models import Officer, Tier
from app.directories.services import records
from app.directories.services.specs import EXPERTS, OBJECTS, OFFICERS
from app.errors import PermissionDenied, ValidationFailed
from app.extensions import db
from tests.conftest import user_for
from tests.directories.helpers import code


def _object(n=1, **extra):
    raw = {"name": f"单位{n}", "credit_code": code(n), "unit_type": "机关", "district": "金安区"}
    raw.update(extra)
    return records.create(user_for(Role.SUPERVISION), OBJECTS, raw)


def _officer(n, tier="正科级", valid_days=400):
    return records.create(user_for(Role.LEGAL), OFFICERS, {
        "name": f"检查员{n}", "unit": "市档案局", "tier_id": tier, "certificate_no": f"皖档执{n:04d}",
        "certificate_valid_until": (utcnow().date() + timedelta(days=valid_days)).isoformat()})


def test_default_tiers_exist_in_order():
    names = list(db.session.scalars(select(Tier.name).order_by(Tier.position)))
    assert names[:3] == ["副处级（领导职务）", "正科级", "副科级及以下"]


def test_create_and_audit():
    record = _object(1)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "objects")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.action == "directory.created" and event.details["values"]["credit_code"] == record.credit_code


def test_update_audits_old_and_new():
    record = _object(2)
    changes = records.update(user_for(Role.SUPERVISION), OBJECTS, record,
                             {"name": "新名称", "credit_code": record.credit_code, "unit_type": "agency",
                              "district": "裕安区"})
    assert changes == {"name": {"old": "单位2", "new": "新名称"}, "district": {"old": "金安区", "new": "裕安区"}}
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "directory.updated" and event.details["changes"] == changes


def test_only_the_keeping_section_edits():
    with pytest.raises(PermissionDenied):
        records.create(user_for(Role.LEGAL), OBJECTS, {"name": "x", "credit_code": code(3), "unit_type": "机关"})
    with pytest.raises(PermissionDenied):
        records.create(user_for(Role.SUPERVISION), EXPERTS, {"code": "E1", "name": "x", "source": "市直单位"})


@pytest.mark.parametrize(("raw", "field", "reason"), [
    ({"name": "", "credit_code": code(4), "unit_type": "机关"}, "name", "必填"),
    ({"name": "x", "credit_code": code(4)[:-1] + ("0" if code(4)[-1] != "0" else "1"), "unit_type": "机关"},
     "credit_code", "校验位"),
    ({"name": "x", "credit_code": code(4), "unit_type": "外星机构"}, "unit_type", "允许的选项"),
])
def test_invalid_objects_name_the_field(raw, field, reason):
    with pytest.raises(ValidationFailed) as caught:
        records.create(user_for(Role.SUPERVISION), OBJECTS, raw)
    assert reason in caught.value.errors[field][0]


def test_unique_codes_and_certificates():
    _object(5)
    with pytest.raises(ValidationFailed) as caught:
        _object(5)
    assert "已存在" in caught.value.errors["credit_code"][0]
    _officer(1)
    with pytest.raises(ValidationFailed) as caught:
        _officer(1)
    assert "已存在" in caught.value.errors["certificate_no"][0]


def test_insane_dates_are_refused():
    with pytest.raises(ValidationFailed) as caught:
        records.create(user_for(Role.LEGAL), OFFICERS, {"name": "x", "tier_id": "正科级", "certificate_no": "A1",
                                                          "certificate_valid_until": "2300-01-01"})
    assert "合理范围" in caught.value.errors["certificate_valid_until"][0]


def test_deactivate_never_deletes():
    record = _object(6)
    records.set_active(user_for(Role.SUPERVISION), OBJECTS, record, False)
    assert db.session.get(type(record), record.id).active is False
    rows, total = records.search(OBJECTS, records.Query(q="单位6"))
    assert total == 0
    rows, total = records.search(OBJECTS, records.Query(q="单位6", active="all"))
    assert total == 1


def test_filters_sort_and_pages():
    for n in range(10, 30):
        _object(n, unit_type=["机关", "国有企业"][n % 2], district=["金安区", "裕安区"][n % 3 == 0])
    rows, total = records.search(OBJECTS, records.Query(q="单位", filters=(("unit_type", "enterprise"),)))
    assert total == 10 and {r.unit_type for r in rows} == {"enterprise"}
    rows, _total = records.search(OBJECTS, records.Query(sort="name", descending=True, per_page=5, page=2))
    names = [r.name for r in rows]
    assert names == sorted(names, reverse=True) and len(names) == 5


def test_certificate_expiring_within_30_days():
    _officer(11, valid_days=10)
    _officer(12, valid_days=200)
    tier = db.session.scalar(select(Tier).where(Tier.name == "正科级"))
    rows, _total = records.search(OFFICERS, records.Query(expiring_days=30))
    assert [r.certificate_no for r in rows if r.certificate_no.startswith("皖档执001")] == ["皖档执0011"]
    rows, total = records.search(OFFICERS, records.Query(filters=(("tier_id", str(tier.id)),)))
    assert total >= 2 and all(r.tier_id == tier.id for r in rows)
    assert db.session.scalar(select(Officer).where(Officer.certificate_no == "皖档执0011")).tier.name == "正科级"
