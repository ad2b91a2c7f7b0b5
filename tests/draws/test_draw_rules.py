"""The draw beyond doubt (issue 16): one draw per year and scope, every attempt on record, complete checks at
prepare, a schedule on working days with nobody twice on one day, the calendar frozen and verified."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.calendar.models import CalendarOverride
from app.clock import utcnow
from app.directories.models import Conflict, InspectionObject, InspectionResult, Officer, Tier
from app.draws.models import Draw
from app.draws.services import draws, lifecycle
from app.draws.services.verify import verify
from app.errors import Conflict as StateConflict
from app.errors import PermissionDenied, ValidationFailed
from app.extensions import db
from tests.conftest import user_for

YEAR = utcnow().year + 1


def _params(**extra):
    tiers = list(db.session.scalars(select(Tier.id).order_by(Tier.position)))
    return {"year": YEAR, "ratio": "0.2", "rest_years": "1", "experts_per_team": "1", "tier_ids": tiers,
            "period_start": f"{YEAR}-03-01", "period_end": f"{YEAR}-10-31", **extra}


def _count():
    return db.session.scalar(select(text("count(*)")).select_from(Draw))


def _confirmed():
    draw = draws.prepare(user_for(Role.SUPERVISION), _params())
    draws.perform(user_for(Role.DISCIPLINE), draw, "315264")
    draws.confirm(user_for(Role.SUPERVISION), draw, "random_inspection")
    return draw


# 1. One draw per year and scope ----------------------------------------------------------------------------
def test_a_second_draw_for_a_year_with_a_confirmed_one_is_refused_and_needs_the_redraw_path():
    """The issue's scenario: a confirmed draw exists; a second one for that year cannot even be prepared."""
    first = draws.prepare(user_for(Role.SUPERVISION), _params())
    draws.perform(user_for(Role.DISCIPLINE), first, "315264")
    draws.confirm(user_for(Role.SUPERVISION), first, "not_published")  # no cases started yet
    before = _count()
    with pytest.raises(ValidationFailed) as caught:
        draws.prepare(user_for(Role.SUPERVISION), _params(ratio="0.5"))
    message = caught.value.errors["year"][0]
    assert f"第 {first.id} 号" in message and "重新抽取" in message and "局领导批准" in message
    assert _count() == before
    # the redraw path: a reason, a leader's approval, the original kept
    with pytest.raises(ValidationFailed):
        lifecycle.request_redraw(user_for(Role.SUPERVISION), first, "短")
    lifecycle.request_redraw(user_for(Role.SUPERVISION), first, "抽取时见证程序存在瑕疵")
    with pytest.raises(PermissionDenied):
        lifecycle.approve_redraw(user_for(Role.SUPERVISION), first)
    second = lifecycle.approve_redraw(user_for(Role.LEADER), first)
    assert first.status == "superseded" and first.slot is None and verify(first).ok
    assert second.redraw_of_id == first.id and second.slot == f"{YEAR}:annual" and second.status == "prepared"


def test_once_cases_have_started_there_is_no_redraw():
    draw = _confirmed()
    assert draw.cases_started_at is not None
    with pytest.raises(StateConflict):
        lifecycle.request_redraw(user_for(Role.SUPERVISION), draw, "想再抽一次看看结果")


def test_a_prepared_draw_holds_the_year_until_cancelled_with_a_reason():
    draw = draws.prepare(user_for(Role.SUPERVISION), _params())
    with pytest.raises(ValidationFailed):
        draws.prepare(user_for(Role.SUPERVISION), _params())
    with pytest.raises(PermissionDenied):
        lifecycle.cancel(user_for(Role.DISCIPLINE), draw, "参数填错，需要重新准备")
    with pytest.raises(ValidationFailed):
        lifecycle.cancel(user_for(Role.SUPERVISION), draw, "")
    lifecycle.cancel(user_for(Role.SUPERVISION), draw, "参数填错，需要重新准备")
    assert draw.status == "cancelled" and draw.slot is None and draw.cancel_reason
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw.cancelled",
                                                      AuditEvent.object_id == str(draw.id)))
    again = draws.prepare(user_for(Role.SUPERVISION), _params())
    assert again.slot == f"{YEAR}:annual"
    assert draws.prepare(user_for(Role.SUPERVISION), _params(scope="special")).slot == f"{YEAR}:special"


def test_the_database_refuses_a_second_holder_of_a_slot():
    draw = draws.prepare(user_for(Role.SUPERVISION), _params())
    savepoint = db.session.begin_nested()
    clone = Draw(year=YEAR, scope="annual", slot=draw.slot, status="prepared", params={}, pools={},
                 pool_hashes={}, exclusions=[], nonce="0", nonce_hash="0", algorithm_version="x",
                 period_start=draw.period_start, period_end=draw.period_end, organiser_id=draw.organiser_id)
    db.session.add(clone)
    with pytest.raises(IntegrityError):
        db.session.flush()
    savepoint.rollback()


# 2. Every attempt recorded ----------------------------------------------------------------------------------
def _impossible():
    """Every officer of one tier declares a conflict with one object; with ratio 1 every object is drawn."""
    tier = db.session.scalar(select(Tier).order_by(Tier.position))
    target = db.session.scalar(select(InspectionObject).where(
        InspectionObject.active.is_(True), InspectionObject.id.not_in(select(InspectionResult.object_id)))
        .order_by(InspectionObject.id))
    declared = set(db.session.scalars(select(Conflict.person_code).where(Conflict.object_id == target.id)))
    for officer in db.session.scalars(select(Officer).where(Officer.tier_id == tier.id)):
        if officer.certificate_no in declared:  # the demo data may already declare this one
            continue
        db.session.add(Conflict(person_kind="officer", person_code=officer.certificate_no, object_id=target.id,
                                reason="亲属关系"))
    db.session.flush()
    return draws.prepare(user_for(Role.SUPERVISION), _params(ratio="1", period_start=f"{YEAR}-01-01",
                                                             period_end=f"{YEAR}-12-31")), target


def test_a_failed_perform_is_recorded_and_needs_a_leader(as_role):
    draw, target = _impossible()
    draw_id, name = draw.id, target.name
    db.session.commit()  # visible to the requests (released savepoint; the test's transaction is still rolled back)
    witness = as_role(Role.DISCIPLINE)
    response = witness.post(f"/draws/{draw_id}/perform", data={"entropy": "4152634"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "抽取未能完成" in page and name in page and "局领导" in page
    failed = db.session.get(Draw, draw_id)  # committed by the request, not rolled back
    assert failed.status == "failed" and failed.seed is None and failed.result is None
    attempt = failed.attempts[0]
    assert attempt["entropy"] == "4152634" and len(attempt["seed"]) == 64 and name in attempt["failure"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw.failed",
                                                      AuditEvent.object_id == str(draw_id)))
    assert event.details["seed"] == attempt["seed"] and event.details["nonce"] == attempt["nonce"]
    old_hash = failed.nonce_hash
    # the witness cannot simply try other entropy
    again = witness.post(f"/draws/{draw_id}/perform", data={"entropy": "999999"}, follow_redirects=True)
    assert "不能再次抽取" in again.get_data(as_text=True)
    assert len(db.session.get(Draw, draw_id).attempts) == 1
    # nobody but a leader decides
    assert as_role(Role.SUPERVISION).post(f"/draws/{draw_id}/allow-attempt", data={"reason": "重新抽取一次"}
                                          ).status_code == 403
    leader = as_role(Role.LEADER)
    assert "同意重新抽取" in leader.get(f"/draws/{draw_id}").get_data(as_text=True)
    leader.post(f"/draws/{draw_id}/allow-attempt", data={"reason": "回避关系登记有误，已核实后重新抽取"})
    retried = db.session.get(Draw, draw_id)
    assert retried.status == "prepared" and retried.nonce_hash != old_hash  # a fresh commitment
    assert retried.attempts[0]["decision"]["reason"].startswith("回避关系")


def test_a_leader_cancels_a_failed_draw_and_the_year_is_free_again():
    draw, _target = _impossible()
    draws.perform(user_for(Role.DISCIPLINE), draw, "111111")
    assert draw.status == "failed"
    with pytest.raises(PermissionDenied):
        lifecycle.cancel(user_for(Role.SUPERVISION), draw, "无法避开回避关系，取消")
    lifecycle.allow_new_attempt(user_for(Role.LEADER), draw, "确认回避关系后再试一次")
    draws.perform(user_for(Role.DISCIPLINE), draw, "222222")
    assert draw.status == "failed" and [a["number"] for a in draw.attempts] == [1, 2]
    assert draw.attempts[0]["nonce"] != draw.attempts[1]["nonce"]
    lifecycle.cancel(user_for(Role.LEADER), draw, "无法避开回避关系，调整名录后重新准备")
    assert draw.status == "cancelled" and draw.slot is None


# 3. Complete validation at prepare ------------------------------------------------------------------------
@pytest.mark.parametrize(("extra", "field", "words"), [
    ({"experts_per_team": "0"}, "experts_per_team", "1–5"),
    ({"experts_to_draw": "500"}, "experts_to_draw", "超过了专家库"),
    ({"experts_per_team": "4", "experts_to_draw": "3"}, "experts_to_draw", "少于每组需要"),
    ({"period_start": f"{YEAR + 1}-03-01", "period_end": f"{YEAR + 1}-10-31", "year": str(YEAR + 1)}, "period",
     f"{YEAR + 1}"),
    ({"period_start": f"{YEAR}-03-01", "period_end": f"{YEAR}-03-03", "ratio": "1"}, "period", "工作日"),
])
def test_everything_knowable_before_the_seed_is_checked_at_prepare(extra, field, words):
    before = _count()
    with pytest.raises(ValidationFailed) as caught:
        draws.prepare(user_for(Role.SUPERVISION), _params(**extra))
    assert field in caught.value.errors and words in caught.value.errors[field][0], caught.value.errors
    assert _count() == before


def test_more_experts_per_team_than_the_pool_is_refused_at_prepare():
    from app.directories.models import Expert

    keep = db.session.scalar(select(Expert.id).order_by(Expert.id))
    db.session.execute(update(Expert).where(Expert.id != keep).values(active=False))
    with pytest.raises(ValidationFailed) as caught:
        draws.prepare(user_for(Role.SUPERVISION), _params(experts_per_team="2"))
    assert "专家库中只有 1 名" in caught.value.errors["experts_per_team"][0]


def test_the_number_of_experts_is_resolved_and_recorded():
    draw = draws.prepare(user_for(Role.SUPERVISION), _params())
    assert draw.params["experts_to_draw"] == min(len(draw.pools["experts"]), 12)  # 20 % of 60 objects, one each


def test_prepare_form_names_the_fields(as_role):
    page = as_role(Role.SUPERVISION).post("/draws/new", data={
        **_params(experts_per_team="0", period_start=f"{YEAR + 1}-03-01", period_end=f"{YEAR + 1}-10-31"),
        "tier_ids": [str(t) for t in _params()["tier_ids"]]}).get_data(as_text=True)
    assert "每组专家人数须为 1–5" in page and "系统日历还没有" in page


# 5. Schedule ------------------------------------------------------------------------------------------------
def test_schedule_uses_only_working_days_and_nobody_twice_a_day():
    saturday = date(YEAR, 9, 25) if date(YEAR, 9, 25).weekday() == 5 else \
        next(date(YEAR, 9, 20) + timedelta(days=k) for k in range(7) if (date(YEAR, 9, 20) + timedelta(days=k))
             .weekday() == 5)
    db.session.add(CalendarOverride(day=saturday, is_workday=True, note="调休上班"))
    db.session.flush()
    # a tight period: the whole demo directory over a few weeks around National Day
    draw = draws.prepare(user_for(Role.SUPERVISION), _params(ratio="1", period_start=f"{YEAR}-09-20",
                                                             period_end=f"{YEAR}-10-31"))
    workdays = draw.pools["calendar"]["workdays"]
    assert saturday.isoformat() in workdays
    assert not any(f"{YEAR}-10-0{d}" in workdays for d in range(1, 8))
    draws.perform(user_for(Role.DISCIPLINE), draw, "123456")
    assert draw.status == "drawn", draw.attempts[0]["failure"]
    seen = set()
    for row in draw.schedule:
        day = date.fromisoformat(row["date"])
        assert row["date"] in workdays and not (date(YEAR, 10, 1) <= day <= date(YEAR, 10, 7))
        assert day.weekday() < 5 or day == saturday
        for person in row["officers"] + row["experts"]:
            assert (person, row["date"]) not in seen
            seen.add((person, row["date"]))
    assert verify(draw).ok


@pytest.mark.edited_draws
def test_verify_checks_the_frozen_calendar():
    draw = draws.prepare(user_for(Role.SUPERVISION), _params())
    draws.perform(user_for(Role.DISCIPLINE), draw, "123456")
    pools = dict(draw.pools)
    pools["calendar"] = {**pools["calendar"], "workdays": [*pools["calendar"]["workdays"], f"{YEAR}-10-01"]}
    db.session.execute(update(Draw).where(Draw.id == draw.id).values(pools=pools))
    db.session.expire_all()
    assert "calendar" in verify(db.session.get(Draw, draw.id)).difference


def test_a_concurrent_prepare_that_passed_the_check_is_refused_cleanly():
    """Two prepares racing past the form check: the unique slot turns the second into a field error."""
    from app.draws.services.params import parse

    params = parse(_params())  # checked while the year was still free
    first = draws.prepare(user_for(Role.SUPERVISION), _params())
    before = _count()
    with pytest.raises(ValidationFailed) as caught:
        draws._prepare(user_for(Role.SUPERVISION), user_for(Role.SUPERVISION), params)
    assert "刚刚已有人准备" in caught.value.errors["year"][0]
    assert _count() == before and first.slot == f"{YEAR}:annual"
