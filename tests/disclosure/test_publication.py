"""Publication as a procedure step: drafts with working-day deadlines, review, publish, revoke, withdraw, take-down,
every step audited with the exact text's SHA-256 and announced through the outbox in the same transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.calendar.services import WorkingDays
from app.clock import local_today
from app.directories.models import Officer
from app.disclosure.models import DisclosureItem, DisclosureVersion
from app.disclosure.services import drafts, publishing, settings
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.extensions import db
from tests.conftest import user_for
from tests.disclosure.helpers import PERSON, draft_of, served_case


def _outbox(public_id):
    from app.outbox.models import OutboxEvent

    return list(db.session.scalars(select(OutboxEvent).where(OutboxEvent.item_key == public_id)
                                   .order_by(OutboxEvent.id)))


def test_a_served_penalty_decision_becomes_a_draft_due_in_seven_working_days():
    case_id = served_case()
    item = draft_of(case_id)
    assert item.status == "draft" and item.kind == "penalty_decision" and item.tab == "decisions"
    assert item.due_on == WorkingDays().add_working_days(local_today(), 7)
    assert "罚款人民币贰万元整" in item.body and "91999999MA0000001X" in item.body  # a unit is published as it is
    assert item.doc_number and item.doc_number in item.title
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "disclosure.drafted",
                                                      AuditEvent.object_id == str(item.id)))


def test_other_decisions_get_twenty_working_days():
    item = draft_of(served_case(0, decision_type="no_penalty"))
    assert item.kind == "no_penalty_decision"
    assert item.due_on == WorkingDays().add_working_days(local_today(), 20)


def test_a_natural_persons_data_is_masked_in_the_draft():
    item = draft_of(served_case(2000, data=PERSON))
    assert item.natural_person and item.party == "张*三"
    assert "张小三" not in item.body and "110105198502021234" not in item.body
    assert "示例市演示区" in item.body and "演示路" not in item.body


def test_publish_keeps_the_exact_text_and_its_hash_and_announces_it():
    item = draft_of(served_case())
    publishing.publish(user_for(Role.LEGAL), item, item.title, item.body + "\n（已审核）")
    assert item.status == "published" and item.version == 1 and item.on_portal
    version = db.session.scalar(select(DisclosureVersion).where(DisclosureVersion.item_id == item.id))
    assert version.text == publishing.canonical_text(item) and "（已审核）" in version.text
    assert version.sha256 == hashlib.sha256(version.text.encode()).hexdigest() == item.published_sha256
    assert not version.late and version.actor_id == user_for(Role.LEGAL).id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "disclosure.published",
                                                       AuditEvent.object_id == str(item.id)))
    assert event.details["sha256"] == version.sha256
    assert item.take_down_on == local_today().replace(year=local_today().year + 5)
    assert [e.event_type for e in _outbox(item.public_id)] == ["published"]


def test_only_the_legal_section_publishes():
    item = draft_of(served_case())
    with pytest.raises(PermissionDenied):
        publishing.publish(user_for(Role.LEADER), item, item.title, item.body)


def test_an_id_number_is_never_published():
    item = draft_of(served_case(2000, data=PERSON))
    with pytest.raises(ValidationFailed) as caught:
        publishing.publish(user_for(Role.LEGAL), item, item.title, item.body + "\n身份证：110105198502021234")
    assert "body" in caught.value.errors and item.status == "draft"


def test_publishing_after_the_deadline_is_recorded_as_late():
    item = draft_of(served_case())
    later = datetime.combine(item.due_on + timedelta(days=3), datetime.min.time()) + timedelta(hours=4)
    clock.set_clock(lambda: later)
    try:
        publishing.publish(user_for(Role.LEGAL), item, item.title, item.body)
    finally:
        clock.set_clock(None)
    version = db.session.scalar(select(DisclosureVersion).where(DisclosureVersion.item_id == item.id))
    assert version.late and version.due_on == item.due_on


def test_revoked_decision_is_withdrawn_with_its_reason_and_three_events_in_order():
    case_id = served_case()
    item = draft_of(case_id)
    publishing.publish(user_for(Role.LEGAL), item, item.title, item.body)
    publishing.revoke_decision(user_for(Role.LEADER), case_id, "经行政复议撤销")
    assert item.withdraw_due_on == WorkingDays().add_working_days(local_today(), 3)
    revoked = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.decision_revoked",
                                                         AuditEvent.object_id == str(case_id)))
    assert revoked.object_id == str(case_id) and revoked.details["reason"] == "经行政复议撤销"
    publishing.withdraw(user_for(Role.LEGAL), item, item.withdraw_reason)
    assert item.status == "withdrawn" and item.on_portal and item.withdraw_reason == "经行政复议撤销"
    with pytest.raises(Conflict):
        publishing.withdraw(user_for(Role.LEGAL), item, "再次")
    with clock_at(item.take_down_on):
        assert publishing.take_down_due() >= 1
    db.session.refresh(item)
    assert item.status == "taken_down" and not item.on_portal
    events = _outbox(item.public_id)
    assert [e.event_type for e in events] == ["published", "withdrawn", "taken_down"]
    assert events[1].payload["withdraw_reason"] == "经行政复议撤销" and events[1].payload["text"] == ""


class clock_at:  # noqa: N801 - reads as a phrase
    """Move the clock to a local day (noon) for a block."""

    def __init__(self, day):
        self.moment = datetime.combine(day, datetime.min.time()) + timedelta(hours=4)

    def __enter__(self):
        clock.set_clock(lambda: self.moment)

    def __exit__(self, *exc):
        clock.set_clock(None)


def test_revoking_before_publication_cancels_the_draft():
    case_id = served_case()
    publishing.revoke_decision(user_for(Role.LEGAL), case_id, "自行纠错撤销")
    assert draft_of(case_id).status == "cancelled"
    with pytest.raises(ValidationFailed):
        publishing.revoke_decision(user_for(Role.LEGAL), served_case(), "  ")


def test_a_natural_person_comes_down_after_two_years():
    item = draft_of(served_case(2000, data=PERSON))
    publishing.publish(user_for(Role.LEGAL), item, item.title, item.body)
    assert item.take_down_on == local_today().replace(year=local_today().year + 2)
    with clock_at(item.take_down_on - timedelta(days=1)):
        publishing.take_down_due()
    db.session.refresh(item)
    assert item.status == "published"


def test_an_officer_change_opens_a_pending_update_due_in_five_working_days():
    legal = user_for(Role.LEGAL)
    item = db.session.scalar(select(DisclosureItem).where(DisclosureItem.kind == "officer_list",
                                                          DisclosureItem.bureau_id == 1))
    assert item is not None  # the demo's officers opened it
    if item.status == "draft":
        publishing.publish(legal, item, item.title, "")
    assert item.pending_due_on is None and any(r["certificate_no"] == "示档执2026001"
                                               for r in item.payload["officers"])
    officer = db.session.scalar(select(Officer).where(Officer.certificate_no == "示档执2026001"))
    officer.region = "示例市全域（调整）"
    db.session.flush()
    assert item.pending_due_on == WorkingDays().add_working_days(local_today(), 5)
    publishing.publish(legal, item, item.title, "")
    assert item.version >= 2 and item.pending_due_on is None and item.updated_at is not None
    assert "示例市全域（调整）" in item.body


def test_settings_change_the_deadlines_and_refuse_bad_values():
    with pytest.raises(ValidationFailed) as caught:
        settings.update(user_for(Role.ADMIN), {**{p.name: "5" for p in settings.PERIODS}, "penalty_days": "abc"})
    assert list(caught.value.errors) == ["penalty_days"]
    settings.update(user_for(Role.ADMIN), {**{p.name: "5" for p in settings.PERIODS}, "penalty_days": "10"})
    assert drafts.deadline("penalty_decision") == WorkingDays().add_working_days(local_today(), 10)
    assert draft_of(served_case()).due_on == WorkingDays().add_working_days(local_today(), 10)


def test_the_inspection_procedure_drafts_its_result_in_the_same_step():
    from app.directories.models import InspectionResult
    from tests.inspection.helpers import do, start_inspection, through_evaluation

    case_id = start_inspection()
    through_evaluation(case_id)
    do(case_id, "feedback", Role.INSPECTOR, {"outcome": "compliant", "feedback_given": True,
                                             "feedback_summary": "未发现违法行为"})
    result = db.session.scalar(select(InspectionResult).where(InspectionResult.case_id == case_id))
    item = db.session.scalar(select(DisclosureItem).where(DisclosureItem.result_id == result.id))
    assert item.status == "draft" and item.tab == "results" and "未发现违法行为" in item.body
    assert item.due_on == WorkingDays().add_working_days(local_today(), 20)
