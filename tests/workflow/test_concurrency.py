"""Real concurrency on PostgreSQL: two people complete the same task at once; several workers fire timers.

These tests commit for real (each thread has its own connection), so they opt out of the rolled-back
test transaction. The scratch database is dropped at the end of the run.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.auth.models import User
from app.bureaus import context
from app.clock import set_clock, utcnow
from app.demo.services import CITY_BUREAU_ID
from app.errors import Conflict
from app.extensions import db
from app.workflow.models import Case, Task
from app.workflow.services import cases, timers

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def db_session(app):
    """Opt out of the shared rolled-back transaction: these tests need separate, committing connections."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL (row locks, SKIP LOCKED)")
    with context.use(context.for_bureau(CITY_BUREAU_ID)):  # as the first bureau's requests and jobs do
        yield None


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def _setup_case(app, process_folder, process_id, data):
    from tests.workflow.helpers import load_process

    with app.app_context():
        load_process(process_folder)  # idempotent: a second call adds nothing
        case = cases.start_case(_user("demo.legal"), process_id, "并发测试", data)
        db.session.commit()
        return case.id


def test_two_people_complete_the_same_task_exactly_one_wins(app):
    case_id = _setup_case(app, "engine", "test_approval", {"rounds": 0})
    with app.app_context():
        from app.auth.services import create_user

        second = create_user(None, username=f"legal2.{case_id}", full_name="第二位法制员", password="second-pass-2026",
                             roles=["legal"])
        db.session.commit()
        second_name = second.username
        task_id = db.session.scalar(select(Task.id).where(Task.case_id == case_id, Task.state == "ready"))
        events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(username: str, amount: int) -> None:
        # A thread starts with no bureau scope (context variables do not cross threads): the user's, as a request.
        with app.app_context(), context.use(context.for_bureau(CITY_BUREAU_ID)):
            user = _user(username)
            barrier.wait()
            try:
                cases.complete_task(user, task_id, {"subject": username, "amount": amount})
                db.session.commit()
                outcomes[username] = "won"
            except Conflict as exc:
                db.session.rollback()
                outcomes[username] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=("demo.legal", 1)),
               threading.Thread(target=attempt, args=(second_name, 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    winners = [name for name, result in outcomes.items() if result == "won"]
    losers = [result for result in outcomes.values() if isinstance(result, Conflict)]
    assert len(winners) == 1 and len(losers) == 1
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.state == "completed" and task.completed_by.username == winners[0]
        assert task.completed_by.full_name in str(losers[0])
        completed = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "task.completed", AuditEvent.object_id == str(case_id))).all()
        assert len(completed) == 1 and completed[0].details["data"]["subject"] == winners[0]
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before + 1
        assert verify_chain().ok
        db.session.remove()


def test_several_workers_fire_each_due_case_once(app):
    ids = [_setup_case(app, "timers", "test_timers", {"team_user_ids": []}) for _ in range(6)]
    start = utcnow()
    set_clock(lambda: start + timedelta(days=10))
    fired: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        # As `flask timers run`: the claim in the system scope, each case fired in its own bureau's scope.
        with app.app_context():
            while True:
                with context.use(context.SYSTEM):
                    case = timers.claim_due_case()
                if case is None:
                    db.session.rollback()
                    break
                with context.use(context.for_bureau(case.bureau_id)):
                    timers.fire_timers(case)
                    if case.id in ids:
                        with lock:
                            fired.append(case.id)
                    db.session.commit()
            db.session.remove()

    try:
        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        set_clock(None)
    assert sorted(fired) == sorted(ids)
    with app.app_context():
        for case_id in ids:
            case = db.session.get(Case, case_id)
            events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "timer.fired",
                                                                 AuditEvent.object_id == str(case_id))).all()
            assert len(events) == 1
            assert db.session.scalar(select(Task.name).where(Task.case_id == case.id, Task.state == "ready")) \
                == "提交整改报告"
        db.session.remove()
