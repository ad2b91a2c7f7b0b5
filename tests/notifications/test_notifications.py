"""Notifications: produced by the worker once each, shown in the bell, e-mailed through a real local SMTP server."""

from __future__ import annotations

import socket
from datetime import datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.auth.roles import Role
from app.clock import set_clock
from app.draws.models import Draw
from app.extensions import db
from app.notifications.cli import run_notifications
from app.notifications.models import Notification, OutboxMessage
from app.notifications.services import preferences, produce
from app.takeover.services import actions
from app.workflow.cli import run_due_timers
from app.workflow.models import Task
from app.workflow.services import cases
from tests.conftest import sign_in, user_for
from tests.workflow.helpers import load_process


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "MAIL_FROM")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM="archives@example.gov.cn")
    yield handler
    app.config.update(saved)
    controller.stop()


@pytest.fixture
def clock():
    now = [datetime(2026, 9, 28, 9, 0)]
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def _mine(user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def _report_case(clock):
    load_process("timers")
    case = cases.start_case(None, "test_timers", "整改跟踪", {"team_user_ids": [user_for(Role.INSPECTOR).id]})
    db.session.commit()
    clock[0] = datetime(2026, 10, 9, 9, 0)
    run_due_timers()
    db.session.commit()
    return case


def test_new_task_due_soon_and_overdue_each_once(clock, app):
    inspector = user_for(Role.INSPECTOR)
    with app.app_context():
        _report_case(clock)  # task due 2026-10-12 (Fri 10-09 + 2 working days)
        run_notifications()
        [new] = _mine(inspector, "new_task")
        assert new.params == {"task": "提交整改报告", "case": "整改跟踪"} and new.link.startswith("/tasks/")
        assert _mine(inspector, "due_soon") == []
        clock[0] = datetime(2026, 10, 10, 9, 0)  # Saturday, a make-up workday: due within one working day
        run_notifications()
        run_notifications()
        assert len(_mine(inspector, "due_soon")) == 1
        clock[0] = datetime(2026, 10, 13, 9, 0)
        run_notifications()
        [overdue] = _mine(inspector, "overdue")
        assert "已逾期" in preferences.title(overdue, lambda m, **p: m % p)


def test_reassigned_task_reaches_the_new_persons_bell(clock, app, as_role):
    with app.app_context():
        case = _report_case(clock)
        run_notifications()
        task = db.session.scalar(select(Task).where(Task.case_id == case.id, Task.state == "ready"))
        legal_inspector = user_for(Role.LEGAL)  # a second inspector: give the legal demo user the role for this test
        from app.auth.models import UserRole
        legal_inspector.role_rows.append(UserRole(role=Role.INSPECTOR.value))
        db.session.flush()
        actions.reassign(user_for(Role.LEADER), task.id, legal_inspector.id, "病假")
        db.session.commit()
        run_notifications()
        [note] = _mine(legal_inspector, "reassigned")
        assert note.params["task"] == "提交整改报告"
        page = sign_in(app.test_client(), legal_inspector).get("/").get_data(as_text=True)
        assert 'data-testid="bell-count"' in page


def test_draw_waiting_for_witness_reaches_the_discipline_inspector(app):
    from app.directories.models import Tier
    from app.draws.services import draws

    with app.app_context():
        draw = draws.prepare(user_for(Role.SUPERVISION), {
            "year": 2027, "ratio": "0.2", "tier_ids": list(db.session.scalars(select(Tier.id))),
            "period_start": "2027-03-01", "period_end": "2027-10-31"})
        produce.produce("https://zf.example.gov.cn")
        [note] = _mine(user_for(Role.DISCIPLINE), "draw_witness")
        assert note.link == f"/draws/{draw.id}" and db.session.get(Draw, draw.id).status == "prepared"


def test_email_is_sent_by_the_worker_through_smtp(clock, app, smtp):
    inspector = user_for(Role.INSPECTOR)
    client = sign_in(app.test_client(), inspector)
    refused = client.post("/notifications/settings", data={"email": "not-an-address", "ch.new_task": ["app"]})
    assert refused.status_code == 400 and "not-an-address" in refused.get_data(as_text=True)
    saved = client.post("/notifications/settings", data={"email": "inspector@example.gov.cn",
                                                         "ch.new_task": ["app", "email"]})
    assert saved.status_code == 302
    with app.app_context():
        _report_case(clock)
        created, sent = run_notifications()
        assert sent == 1
        [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.address == "inspector@example.gov.cn"))
        assert message.status == "sent"
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["inspector@example.gov.cn"]
    text = envelope.content.decode("utf-8", "replace")
    assert "Subject:" in text
    import email
    parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert parsed["Subject"] == "新任务：提交整改报告（整改跟踪）"
    assert "/tasks/" in parsed.get_content()


def test_bell_and_list_show_and_mark_read(clock, app):
    inspector = user_for(Role.INSPECTOR)
    with app.app_context():
        _report_case(clock)
        run_notifications()
        [note] = _mine(inspector)
        note_id = note.id
    client = sign_in(app.test_client(), inspector)
    page = client.get("/notifications").get_data(as_text=True)
    assert "新任务：提交整改报告（整改跟踪）" in page and "未读" in page
    assert client.get(f"/notifications/{note_id}/open").status_code == 302
    assert 'data-testid="bell-count"' not in client.get("/notifications").get_data(as_text=True)


def test_work_sent_back_is_announced_as_returned_for_revision(app):
    legal, leader = user_for(Role.LEGAL), user_for(Role.LEADER)
    with app.app_context():
        load_process("engine")
        case = cases.start_case(legal, "test_approval", "退回测试", {"rounds": 0})
        [draft] = db.session.scalars(select(Task).where(Task.case_id == case.id, Task.state == "ready"))
        cases.complete_task(legal, draft.id, {"subject": "申请", "amount": 1})
        [approve] = db.session.scalars(select(Task).where(Task.case_id == case.id, Task.state == "ready"))
        cases.complete_task(leader, approve.id, {"approved": False})
        db.session.commit()
        produce.produce("http://127.0.0.1:5000")
        [returned] = _mine(legal, "returned")
        assert returned.params["task"] == "填写申请"
        assert _mine(leader) == []  # its task was done before the worker looked: nothing to announce
