"""Draws against the real database: prepare, witnessed perform, verify, confirm and start cases, redraw, outputs."""

import io
from datetime import timedelta

import pytest
from docx import Document as read_docx
from openpyxl import load_workbook
from sqlalchemy import select, text, update

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.clock import utcnow
from app.directories.models import InspectionObject, InspectionResult, Officer, Tier
from app.draws.models import Draw
from app.draws.services import draws, lifecycle, outputs
from app.draws.services.verify import verify
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.extensions import db
from app.workflow.models import Task
from tests.conftest import user_for


def _params(**extra):
    tiers = list(db.session.scalars(select(Tier.id).order_by(Tier.position)))
    year = utcnow().year + 1
    return {"year": year, "ratio": "0.2", "rest_years": "1", "experts_per_team": "1", "tier_ids": tiers,
            "item_codes": ["SJ-01"], "period_start": f"{year}-03-01", "period_end": f"{year}-10-31", **extra}


def _drawn(**extra):
    draw = draws.prepare(user_for(Role.SUPERVISION), _params(**extra))
    draws.perform(user_for(Role.DISCIPLINE), draw, "315264")
    return draw


def test_prepare_freezes_pools_and_lists_exclusions_with_reasons():
    resting = db.session.scalars(select(InspectionObject).where(InspectionObject.active.is_(True))
                                 .order_by(InspectionObject.id)).first()
    db.session.add(InspectionResult(object_id=resting.id, inspected_on=utcnow().date() - timedelta(days=100),
                                    outcome="compliant"))
    draw = draws.prepare(user_for(Role.SUPERVISION), _params())
    reasons = {(e["code"], e["reason"]) for e in draw.exclusions}
    assert (resting.credit_code, "resting") in reasons
    assert any(r == "certificate_expired" or r == "certificate_expiring" for _c, r in reasons)  # demo officer 12
    assert resting.credit_code not in [o["code"] for o in draw.pools["objects"]]
    assert draw.status == "prepared" and len(draw.nonce_hash) == 64 and draw.result is None
    assert set(draw.pool_hashes) >= {"objects", "experts", "blocked", "calendar"}


def test_only_the_discipline_inspector_performs_with_valid_entropy():
    draw = draws.prepare(user_for(Role.SUPERVISION), _params())
    with pytest.raises(PermissionDenied):
        draws.perform(user_for(Role.SUPERVISION), draw, "123456")
    for bad in ("", "12", "12 34 56", "骰子点数123456"):
        with pytest.raises(ValidationFailed):
            draws.perform(user_for(Role.DISCIPLINE), draw, bad)
    assert draw.status == "prepared" and draw.seed is None


def test_perform_records_everything_and_verifies():
    draw = _drawn()
    assert draw.status == "drawn" and draw.witness_id == user_for(Role.DISCIPLINE).id
    assert draw.result["selected_count"] == len(draw.schedule) >= 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw.performed",
                                                       AuditEvent.object_id == str(draw.id)))
    assert event.details["record_hash"] == draw.record_hash
    report = verify(draw)
    assert report.ok, report.difference
    with pytest.raises(Conflict):
        draws.perform(user_for(Role.DISCIPLINE), draw, "999999")


@pytest.mark.edited_draws
@pytest.mark.parametrize(("edit", "named"), [
    (lambda d: {**d.result, "selected": list(reversed(d.result["selected"]))}, "stage (a)"),
    (lambda d: {**d.result, "tiers": [{**d.result["tiers"][0], "assignment": {
        k: next(o for o in d.result["tiers"][0]["officer_order"] if o != v) if i == 0 else v
        for i, (k, v) in enumerate(d.result["tiers"][0]["assignment"].items())}}] + d.result["tiers"][1:]},
     "stage (b)"),
])
def test_edited_results_are_caught_and_named(edit, named):
    draw = _drawn(ratio="0.5")
    forged = edit(draw)
    db.session.execute(update(Draw).where(Draw.id == draw.id).values(result=forged))
    db.session.expire_all()
    report = verify(db.session.get(Draw, draw.id))
    assert not report.ok and named in report.difference


@pytest.mark.edited_draws
def test_edited_entropy_or_pool_is_caught():
    draw = _drawn()
    db.session.execute(update(Draw).where(Draw.id == draw.id).values(witness_entropy="111111"))
    db.session.expire_all()
    assert "seed" in verify(db.session.get(Draw, draw.id)).difference
    draw = _drawn(scope="special")
    pools = dict(draw.pools)
    pools["objects"] = pools["objects"][1:]
    db.session.execute(update(Draw).where(Draw.id == draw.id).values(pools=pools))
    db.session.expire_all()
    assert "pool changed: objects" in verify(db.session.get(Draw, draw.id)).difference


@pytest.mark.edited_draws
def test_consistent_forgery_is_caught_by_the_audit_chain_copy():
    draw = _drawn()
    db.session.execute(update(Draw).where(Draw.id == draw.id).values(organiser_id=user_for(Role.ADMIN).id))
    db.session.expire_all()
    forged = db.session.get(Draw, draw.id)
    from app.draws.services.draws import record_hash

    db.session.execute(update(Draw).where(Draw.id == draw.id).values(record_hash=record_hash(forged)))
    db.session.expire_all()
    assert "audit chain" in verify(db.session.get(Draw, draw.id)).difference


def test_confirm_without_process_then_start_cases_with_the_team_as_named_users():
    inspector = user_for(Role.INSPECTOR)
    draw = _drawn()
    assert draws.confirm(user_for(Role.SUPERVISION), draw, "not_published_yet") == 0
    assert draw.status == "confirmed" and draw.cases_started_at is None
    assert draw.public_part and set(draw.public_part[0]) == {"object", "credit_code", "date"}
    started = draws.start_cases(user_for(Role.SUPERVISION), draw, "random_inspection")
    assert started == draw.result["selected_count"]
    tasks = list(db.session.scalars(select(Task).where(Task.element_id == "plan", Task.state == "ready")))
    assert len(tasks) == started and all(t.restricted for t in tasks)
    assert all(inspector.id in [a.user_id for a in t.assignees] for t in tasks)  # demo officers sign in as him
    assert draws.start_cases(user_for(Role.SUPERVISION), draw, "random_inspection") == 0  # only once


def test_redraw_needs_a_reason_and_a_leader_and_keeps_the_original():
    draw = _drawn()
    with pytest.raises(ValidationFailed):
        lifecycle.request_redraw(user_for(Role.SUPERVISION), draw, "")
    lifecycle.request_redraw(user_for(Role.SUPERVISION), draw, "见证程序有瑕疵，需重新抽取")
    with pytest.raises(PermissionDenied):
        lifecycle.approve_redraw(user_for(Role.SUPERVISION), draw)
    new = lifecycle.approve_redraw(user_for(Role.LEADER), draw)
    assert draw.status == "superseded" and draw.result is not None and verify(draw).ok
    assert new.redraw_of_id == draw.id and new.status == "prepared" and new.params == draw.params


@pytest.mark.parametrize(("params", "field"), [({"ratio": "0"}, "ratio"), ({"ratio": "1.5"}, "ratio"),
                                               ({"ratio": "abc"}, "ratio"), ({"tier_ids": []}, "tier_ids"),
                                               ({"period_end": "2000-01-01"}, "period")])
def test_bad_parameters_name_the_field_and_save_nothing(params, field):
    before = db.session.scalar(select(text("count(*)")).select_from(Draw))
    with pytest.raises(ValidationFailed) as caught:
        draws.prepare(user_for(Role.SUPERVISION), _params(**params))
    assert field in caught.value.errors
    assert db.session.scalar(select(text("count(*)")).select_from(Draw)) == before


def test_a_tier_without_officers_is_refused_at_prepare_naming_the_tier():
    tier = db.session.scalar(select(Tier).where(Tier.name == "正科级"))
    db.session.execute(update(Officer).where(Officer.tier_id == tier.id).values(active=False))
    before = db.session.scalar(select(text("count(*)")).select_from(Draw))
    with pytest.raises(ValidationFailed) as caught:
        draws.prepare(user_for(Role.SUPERVISION), _params())
    assert "正科级" in caught.value.errors["tier_ids"][0]
    assert db.session.scalar(select(text("count(*)")).select_from(Draw)) == before


def test_outputs_are_official_documents():
    draw = _drawn()
    document = read_docx(io.BytesIO(outputs.record_docx(draw, "示例市档案局")))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "抽取记录" in body and draw.seed in body and draw.nonce in body
    title_run = document.paragraphs[0].runs[0]
    assert title_run.font.size.pt == 22
    assert title_run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
        == "方正小标宋简体"
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    sheet = load_workbook(io.BytesIO(outputs.schedule_xlsx(draw))).active
    assert sheet["A1"].value == "序号" and sheet.max_row == len(draw.schedule) + 1
