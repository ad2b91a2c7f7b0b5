"""挂牌督办 end to end through the pages: the city flags a county case, the county reports, overdue reports
escalate, only a city leader lifts; every step audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.bureaus.models import Bureau, Supervision, SupervisionReport
from app.bureaus.services import supervision
from app.clock import local_today, set_clock, utcnow
from app.extensions import db
from app.workflow.models import Case, Task
from tests.conftest import sign_in, user_for


def _county(app, role: Role, key: str = "jia"):
    user = db.session.scalar(select(User).where(User.username == f"demo.{key}.{role.value}"))
    return sign_in(app.test_client(), user), user


def _county_case(key: str = "jia") -> Case:
    with context.use(context.SYSTEM):
        bureau = db.session.scalar(select(Bureau).where(Bureau.name.contains("甲县" if key == "jia" else "乙区")))
        return db.session.scalar(select(Case).where(Case.bureau_id == bureau.id).order_by(Case.id))


def _supervise(as_role, case_id: int, **overrides):
    data = {"reason": "群众反映强烈，须按期办结", "deadline": (local_today() + timedelta(days=40)).isoformat(),
            "report_every_days": "5", **overrides}
    return as_role(Role.SUPERVISION).post(f"/oversight/cases/{case_id}/supervise", data=data)


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_city_supervises_county_reports_and_leader_lifts(app, as_role):
    case = _county_case()
    page = as_role(Role.LEADER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "挂牌督办" in page and "下级局案件" in page

    response = _supervise(as_role, case.id)
    assert response.status_code == 302
    with context.use(context.SYSTEM):
        row = db.session.scalar(select(Supervision).where(Supervision.case_id == case.id))
        report = db.session.scalar(select(SupervisionReport).where(SupervisionReport.supervision_id == row.id))
        task = db.session.get(Task, report.task_id)
    assert row.bureau_id == case.bureau_id and row.supervising_bureau_id == 1
    assert task.bureau_id == case.bureau_id and task.role == "legal" and task.state == "ready"
    assert [e.details["reason"] for e in _events("case.supervised")] == ["群众反映强烈，须按期办结"]

    county_legal, _user = _county(app, Role.LEGAL)
    assert "督办进展报告" in county_legal.get("/tasks").get_data(as_text=True)
    flag = county_legal.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="supervision-flag"' in flag and "群众反映强烈" in flag
    assert county_legal.get(f"/tasks/{task.id}").headers["Location"].endswith(f"/oversight/reports/{report.id}")
    refused = county_legal.post(f"/oversight/reports/{report.id}", data={"progress": "  "})
    assert refused.status_code == 400 and "请填写办理进展" in refused.get_data(as_text=True)
    assert county_legal.post(f"/oversight/reports/{report.id}", data={"progress": "已完成调查取证"}).status_code == 302
    with context.use(context.SYSTEM):
        db.session.expire_all()
        assert db.session.get(SupervisionReport, report.id).status == "submitted"
        assert db.session.get(Task, task.id).state == "completed"
        following = db.session.scalar(select(SupervisionReport).where(
            SupervisionReport.supervision_id == row.id, SupervisionReport.status == "open"))
    assert following is not None and following.due_on > report.due_on

    # the city sees it in the roll-up; a county leader cannot lift; the city's supervision section cannot either
    overview = as_role(Role.LEADER).get("/oversight/").get_data(as_text=True)
    assert case.subject in overview and "已报告" in overview
    county_leader, _ = _county(app, Role.LEADER)
    assert county_leader.post(f"/oversight/supervisions/{row.id}/lift", data={"lift_reason": "x"}).status_code == 302
    with context.use(context.SYSTEM):
        db.session.expire_all()
        assert db.session.get(Supervision, row.id).status == "active"
    as_role(Role.LEADER).post(f"/oversight/supervisions/{row.id}/lift", data={"lift_reason": "已按期办结"})
    with context.use(context.SYSTEM):
        db.session.expire_all()
        lifted = db.session.get(Supervision, row.id)
        assert lifted.status == "lifted" and lifted.lifted_by_id == user_for(Role.LEADER).id
        assert db.session.get(Task, following.task_id).state == "cancelled"
    assert _events("case.supervision_lifted")[0].details["reason"] == "已按期办结"


def test_bad_input_is_named_and_kept(as_role):
    case = _county_case()
    response = _supervise(as_role, case.id, deadline=local_today().isoformat(), report_every_days="0")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "办结期限须晚于今天" in text and "报告间隔须为 1–60 个工作日" in text and "群众反映强烈" in text
    with context.use(context.SYSTEM):
        assert db.session.scalar(select(Supervision.id).where(Supervision.case_id == case.id)) is None


def test_only_a_higher_bureau_supervises(app, as_role):
    case = _county_case("yi")
    sibling, _ = _county(app, Role.SUPERVISION, "jia")
    assert _supervise(lambda _r: sibling, case.id).status_code == 404  # a sibling does not even see the case
    own_city_case = db.session.scalar(select(Case).where(Case.bureau_id == 1).order_by(Case.id))
    response = _supervise(as_role, own_city_case.id)
    assert response.status_code == 200 and "只有上级档案局" in response.get_data(as_text=True)


def test_overdue_reports_escalate_to_the_city(app, as_role):
    from app.workflow.cli import escalate_supervision_reports

    case = _county_case()
    _supervise(as_role, case.id)
    later = utcnow() + timedelta(days=20)
    set_clock(lambda: later)
    try:
        assert escalate_supervision_reports() == 1
        assert escalate_supervision_reports() == 0  # once per report
        overview = as_role(Role.SUPERVISION).get("/oversight/").get_data(as_text=True)
    finally:
        set_clock(None)
    event = _events("supervision.report_overdue")[0]
    assert event.details["escalated_to"] and "逾期未报" in overview
    assert supervision.is_overdue(db.session.scalar(select(SupervisionReport).where(
        SupervisionReport.case_id == case.id).execution_options(bureau_unscoped=True)), later.date())
