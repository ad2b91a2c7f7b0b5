"""Cases: completing tasks with permission and form checks, one transaction each, every step audited."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.clock import set_clock, utcnow
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.workflow.models import Case, Task
from app.workflow.services import cases, inbox, runtime
from app.workflow.services.engine_errors import EngineError
from tests.conftest import user_for
from tests.workflow.helpers import load_process


def _open(case, role=None):
    query = select(Task).where(Task.case_id == case.id, Task.state == "ready")
    if role:
        query = query.where(Task.role == role.value)
    return list(db.session.scalars(query))


def _snapshot(case):
    db.session.refresh(case)
    return (case.state, case.lock_version, db.session.scalar(select(func.count()).select_from(AuditEvent)),
            [(t.id, t.state) for t in db.session.scalars(select(Task).where(Task.case_id == case.id))])


@pytest.fixture
def approval():
    load_process("engine")
    case = cases.start_case(user_for(Role.LEGAL), "test_approval", "审批测试", {"rounds": 0})
    db.session.commit()  # so a rolled-back attempt returns to this state
    return case


def test_start_indexes_the_first_task_and_audits(approval):
    [task] = _open(approval)
    assert (task.element_id, task.name, task.role, task.form_key) == ("draft", "填写申请", "legal", "test_draft")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.started",
                                                        AuditEvent.object_id == str(approval.id))).one()
    assert event.details["definition"]["version"] == 1


def test_complete_runs_engine_steps_and_audits_who_what_which_version(approval):
    legal = user_for(Role.LEGAL)
    [task] = _open(approval)
    cases.complete_task(legal, task.id, {"subject": "申请", "amount": 21})
    [next_task] = _open(approval)
    assert next_task.role == "leader" and task.state == "completed" and task.completed_by_id == legal.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "task.completed",
                                                        AuditEvent.object_id == str(approval.id))).one()
    assert event.actor_id == legal.id
    assert event.details["data"] == {"subject": "申请", "amount": 21}
    assert [s["element"] for s in event.details["engine_steps"]] == ["compute"]
    assert event.details["definition"]["hash"] == approval.definition.content_hash
    assert cases.case_data(approval)["doubled"] == 42


def test_wrong_role_cannot_complete_and_nothing_changes(approval):
    [task] = _open(approval)
    before = _snapshot(approval)
    with pytest.raises(PermissionDenied):
        cases.complete_task(user_for(Role.INSPECTOR), task.id, {"subject": "x", "amount": 1})
    db.session.rollback()
    assert _snapshot(approval) == before


def test_unknown_task_is_not_found():
    with pytest.raises(NotFound):
        cases.complete_task(user_for(Role.LEGAL), 987654, {})


def test_completed_task_tells_who_completed_it(approval):
    [task] = _open(approval)
    cases.complete_task(user_for(Role.LEGAL), task.id, {"subject": "x", "amount": 1})
    with pytest.raises(Conflict, match="李法制（演示）"):
        cases.complete_task(user_for(Role.LEGAL), task.id, {"subject": "x", "amount": 1})


@pytest.mark.parametrize(("data", "field"), [
    ({"amount": 1}, "subject"),                                  # missing
    ({"subject": "x", "amount": 1, "hack": 1}, "_form"),         # extra
    ({"subject": "x", "amount": "lots"}, "amount"),              # mistyped
    ({"subject": "x" * 101, "amount": 1}, "subject"),            # oversized
    ({"subject": "x", "amount": -5}, "amount"),                  # out of range
])
def test_bad_submissions_name_the_field_and_change_nothing(approval, data, field):
    [task] = _open(approval)
    before = _snapshot(approval)
    with pytest.raises(ValidationFailed) as caught:
        cases.complete_task(user_for(Role.LEGAL), task.id, data)
    assert field in caught.value.errors
    db.session.rollback()
    assert _snapshot(approval) == before


def test_future_task_cannot_be_run(approval):
    """The index only offers READY tasks; a FUTURE one (the leader's) is refused even by its role."""
    workflow = runtime.load(approval.definition, approval.state, approval.serializer_version)
    future = next(t for t in workflow.get_tasks() if t.task_spec.name == "approve")
    forged = Task(case_id=approval.id, spiff_task_id=str(future.id), element_id="approve", name="领导审批",
                  lane="局领导", role="leader", form_key="test_approve", state="ready")
    db.session.add(forged)
    db.session.flush()
    with pytest.raises(Conflict, match="当前不可办理"):
        cases.complete_task(user_for(Role.LEADER), forged.id, {"approved": True})


def test_a_script_error_rolls_everything_back_with_a_clear_message(approval):
    [task] = _open(approval)
    legal = user_for(Role.LEGAL)
    # `rounds` missing from the data makes the script task raise NameError
    workflow = runtime.load(approval.definition, approval.state, approval.serializer_version)
    workflow.data.pop("rounds", None)
    for t in workflow.get_tasks():
        t.data.pop("rounds", None)
    approval.state, approval.serializer_version = runtime.dump(workflow)
    db.session.commit()
    before = _snapshot(approval)
    with pytest.raises(EngineError) as caught:
        cases.complete_task(legal, task.id, {"subject": "x", "amount": 1})
    assert caught.value.element_id == "compute" and "rounds" in str(caught.value)
    db.session.rollback()
    assert _snapshot(approval) == before


def test_endless_loop_in_a_diagram_is_stopped_and_nothing_changes():
    load_process("loop")
    legal = user_for(Role.LEGAL)
    case = cases.start_case(legal, "test_loop", "spin", {"passes": 0, "spin_forever": False})
    db.session.commit()
    [task] = _open(case)
    before = _snapshot(case)
    with pytest.raises(EngineError, match="时间限制"):
        cases.complete_task(legal, task.id, {"finish": False, "spin_forever": True})
    db.session.rollback()
    assert _snapshot(case) == before


def test_thirty_rounds_through_a_gateway_loop():
    load_process("loop")
    legal = user_for(Role.LEGAL)
    case = cases.start_case(legal, "test_loop", "loop", {"passes": 0, "spin_forever": False})
    for _ in range(30):
        [task] = _open(case)
        cases.complete_task(legal, task.id, {"finish": False})
    [task] = _open(case)
    cases.complete_task(legal, task.id, {"finish": True})
    assert case.status == "completed" and cases.case_data(case)["passes"] == 31


def test_named_users_restrict_a_task():
    load_process("timers")
    inspector = user_for(Role.INSPECTOR)
    other = cases.start_case(None, "test_timers", "not mine", {"team_user_ids": [user_for(Role.ADMIN).id]})
    mine = cases.start_case(None, "test_timers", "mine", {"team_user_ids": [inspector.id]})
    start = utcnow()
    set_clock(lambda: start + timedelta(days=10))
    try:
        from app.workflow.cli import run_due_timers  # the worker's unit of work
        assert run_due_timers() == 2
    finally:
        set_clock(None)
    tasks, total = inbox.my_tasks(inspector)
    assert [t.case_id for t in tasks] == [mine.id] and total == 1
    [blocked] = _open(other, Role.INSPECTOR)
    with pytest.raises(PermissionDenied):
        cases.complete_task(inspector, blocked.id, {"summary": "x"})


def test_case_row_has_optimistic_lock(approval):
    assert Case.__mapper__.version_id_col is not None
    version = approval.lock_version
    [task] = _open(approval)
    cases.complete_task(user_for(Role.LEGAL), task.id, {"subject": "x", "amount": 1})
    assert approval.lock_version == version + 1
