"""Taking work over: reassigning, delegating, suspending, resuming, cancelling — guarded, audited, in the history."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User, UserRole
from app.auth.roles import Role
from app.clock import set_clock
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.takeover.services import actions, delegations
from app.workflow.cli import run_due_timers
from app.workflow.models import Task
from app.workflow.services import cases, inbox
from tests.conftest import sign_in, user_for
from tests.workflow.helpers import load_process


@pytest.fixture
def clock():
    now = [datetime(2026, 9, 28, 9, 0)]
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def _person(username: str, full_name: str, *roles: Role, legal_qualified: bool = False) -> User:
    user = User(username=username, full_name=full_name, password_hash="-", legal_qualified=legal_qualified,
                active=True, failed_logins=0)
    user.role_rows = [UserRole(role=r.value) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def _ready(case) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.case_id == case.id, Task.state == "ready")))


@pytest.fixture
def report_case(clock):
    """A case whose open task 提交整改报告 is named to the demo inspector."""
    load_process("timers")
    case = cases.start_case(None, "test_timers", "整改跟踪测试", {"team_user_ids": [user_for(Role.INSPECTOR).id]})
    db.session.commit()
    clock[0] = datetime(2026, 10, 9, 9, 0)
    run_due_timers()
    db.session.commit()
    return case


def _events(case, action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                            AuditEvent.object_id == str(case.id))))


def test_reassigned_task_moves_to_the_new_person_and_is_audited(report_case):
    leader, old = user_for(Role.LEADER), user_for(Role.INSPECTOR)
    new = _person("insp.zhang", "张新", Role.INSPECTOR)
    [task] = _ready(report_case)
    actions.reassign(leader, task.id, new.id, "原办理人病假")
    assert [t.id for t in inbox.my_tasks(new)[0]] == [task.id]
    assert inbox.my_tasks(old)[0] == []
    assert cases.may_act(new, task) and not cases.may_act(old, task)
    [event] = _events(report_case, "task.reassigned")
    assert event.actor_id == leader.id
    assert event.details == {"task_id": task.id, "name": "提交整改报告", "from": old.full_name, "to": "张新",
                             "to_user_id": new.id, "reason": "原办理人病假"}
    cases.complete_task(new, task.id, {"summary": "已整改"})


def test_reassignment_keeps_the_guards_and_changes_nothing_when_refused(report_case):
    leader = user_for(Role.LEADER)
    [task] = _ready(report_case)
    expert = _person("exp.li", "李专家", Role.EXPERT)
    with pytest.raises(ValidationFailed) as refused:
        actions.reassign(leader, task.id, expert.id, "试试")
    assert refused.value.errors == {"to_user_id": ["接办人须担任此任务的角色。"]}
    new = _person("insp.wang", "王新", Role.INSPECTOR)
    with pytest.raises(ValidationFailed) as no_reason:
        actions.reassign(leader, task.id, new.id, "  ")
    assert "reason" in no_reason.value.errors
    db.session.rollback()
    db.session.refresh(task)
    assert [a.user_id for a in task.assignees] == [user_for(Role.INSPECTOR).id]
    assert _events(report_case, "task.reassigned") == []


def test_legal_review_goes_only_to_a_qualified_person(report_case):
    [task] = _ready(report_case)
    task.role, task.form_key = Role.LEGAL.value, "lr_review"  # as a legal-review task of the case procedure
    unqualified = _person("legal.zhao", "赵未取证", Role.LEGAL)
    qualified = _person("legal.qian", "钱有资格", Role.LEGAL, legal_qualified=True)
    assert unqualified not in actions.candidates(task) and qualified in actions.candidates(task)
    with pytest.raises(ValidationFailed) as refused:
        actions.reassign(user_for(Role.ADMIN), task.id, unqualified.id, "调整")
    assert refused.value.errors == {"to_user_id": ["法制审核人员须具有法律职业资格。"]}


def test_team_task_replaces_one_member(report_case):
    [task] = _ready(report_case)
    first, second = user_for(Role.INSPECTOR), _person("insp.sun", "孙二", Role.INSPECTOR)
    actions.reassign(user_for(Role.LEADER), task.id, second.id, "加人")  # one named → replaced
    third = _person("insp.zhou", "周三", Role.INSPECTOR)
    from app.workflow.models import TaskAssignee
    task.assignees.append(TaskAssignee(user_id=first.id))
    db.session.flush()
    with pytest.raises(ValidationFailed) as which:
        actions.reassign(user_for(Role.LEADER), task.id, third.id, "换人")
    assert "from_user_id" in which.value.errors
    actions.reassign(user_for(Role.LEADER), task.id, third.id, "换人", from_user_id=second.id)
    assert sorted(a.user_id for a in task.assignees) == sorted([first.id, third.id])  # team size kept


def test_suspended_case_fires_no_timer_and_refuses_completion_until_resumed(clock):
    load_process("timers")
    case = cases.start_case(None, "test_timers", "暂停测试", {"team_user_ids": [user_for(Role.INSPECTOR).id]})
    db.session.commit()
    actions.change_case(user_for(Role.LEADER), case.id, "suspend", "当事人申请中止")
    db.session.commit()
    clock[0] = datetime(2026, 10, 9, 9, 0)
    assert run_due_timers() == 0 and _ready(case) == []
    actions.change_case(user_for(Role.LEADER), case.id, "resume", "中止情形消除")
    db.session.commit()
    assert run_due_timers() == 1
    [task] = _ready(case)
    actions.change_case(user_for(Role.ADMIN), case.id, "suspend", "再次中止")
    assert inbox.my_tasks(user_for(Role.INSPECTOR))[0] == []
    with pytest.raises(Conflict):
        cases.complete_task(user_for(Role.INSPECTOR), task.id, {"summary": "x"})
    with pytest.raises(Conflict):
        actions.change_case(user_for(Role.LEADER), case.id, "suspend", "重复")
    assert [e.details["reason"] for e in _events(case, "case.suspended")] == ["当事人申请中止", "再次中止"]


def test_cancelled_case_closes_its_tasks_and_timers(report_case):
    actions.change_case(user_for(Role.LEADER), report_case.id, "cancel", "误立案")
    assert report_case.status == "cancelled" and report_case.next_timer_at is None
    assert _ready(report_case) == []
    [event] = _events(report_case, "case.cancelled")
    assert event.details["cancelled_tasks"] == ["提交整改报告"] and event.details["reason"] == "误立案"
    with pytest.raises(Conflict):
        actions.change_case(user_for(Role.LEADER), report_case.id, "resume", "恢复")


def test_delegate_sees_and_does_the_delegators_tasks_during_the_period(report_case, clock):
    leader, absent = user_for(Role.LEADER), user_for(Role.INSPECTOR)
    stand_in = _person("insp.deputy", "代理人", Role.INSPECTOR)
    [task] = _ready(report_case)
    assert inbox.my_tasks(stand_in)[0] == []
    delegations.create(leader, absent.id, stand_in.id, date(2026, 10, 9), date(2026, 10, 12), "出差")
    assert [t.id for t in inbox.my_tasks(stand_in)[0]] == [task.id]
    assert [t.id for t in inbox.my_tasks(absent)[0]] == [task.id]  # the delegator keeps them too
    clock[0] = datetime(2026, 10, 14, 9, 0)
    assert inbox.my_tasks(stand_in)[0] == [] and not cases.may_act(stand_in, task)
    clock[0] = datetime(2026, 10, 10, 9, 0)
    cases.complete_task(stand_in, task.id, {"summary": "代为提交"})
    assert task.completed_by_id == stand_in.id


def test_delegation_refuses_bad_input_naming_each_field(clock):
    leader, inspector = user_for(Role.LEADER), user_for(Role.INSPECTOR)
    with pytest.raises(ValidationFailed) as refused:
        delegations.create(leader, inspector.id, user_for(Role.EXPERT).id, date(2026, 10, 2), date(2026, 10, 1), "")
    assert set(refused.value.errors) == {"delegate_id", "ends_on", "reason"}


def test_manage_page_reassigns_and_the_case_history_says_why(report_case, app):
    new = _person("insp.page", "页面新人", Role.INSPECTOR)
    db.session.commit()
    new_id, case_id, [task_id] = new.id, report_case.id, [t.id for t in _ready(report_case)]
    client = sign_in(app.test_client(), user_for(Role.LEADER))
    page = client.get(f"/cases/{case_id}/manage").get_data(as_text=True)
    assert "页面新人" in page and "提交整改报告" in page
    refused = client.post(f"/cases/{case_id}/manage",
                          data={"op": "reassign", "task_id": task_id, "to_user_id": new_id, "reason": ""})
    assert refused.status_code == 400 and "请填写理由" in refused.get_data(as_text=True)
    done = client.post(f"/cases/{case_id}/manage",
                       data={"op": "reassign", "task_id": task_id, "to_user_id": new_id, "reason": "人员调整"})
    assert done.status_code == 302
    history = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "人员调整" in history and "页面新人" in history
    kept = client.post(f"/cases/{case_id}/manage", data={"op": "cancel", "reason": "x" * 501})
    assert kept.status_code == 400 and "x" * 501 in kept.get_data(as_text=True)
    newcomer = db.session.get(User, new_id)
    inbox_page = sign_in(app.test_client(), newcomer).get("/tasks").get_data(as_text=True)
    assert inbox_page.count(f"/tasks/{task_id}\"") == 2  # its card (phones) and its table row


def test_delegations_page_keeps_what_was_typed(app, clock):
    client = sign_in(app.test_client(), user_for(Role.ADMIN))
    response = client.post("/delegations", data={"delegator_id": user_for(Role.INSPECTOR).id,
                                                 "delegate_id": user_for(Role.INSPECTOR).id,
                                                 "starts_on": "2026-10-01", "ends_on": "2026-10-05",
                                                 "reason": "年假"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "代理人不能是被代理人本人" in body and "年假" in body
