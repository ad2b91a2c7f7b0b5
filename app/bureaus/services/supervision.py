"""挂牌督办: a higher bureau supervises a lower bureau's case — reason, deadline, progress reports as tasks in the
lower bureau's inbox, overdue reports escalated upward, lifting only by a leader of the supervising bureau.

The rows belong to the case's bureau (so its staff see the flag and report); the supervising bureau reads them
through its upward view. Creating and lifting write into the lower bureau: the one place a higher bureau writes
there, done explicitly in that bureau's context and audited.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus.context import current, for_bureau, use
from app.bureaus.models import Supervision, SupervisionReport
from app.bureaus.services.tree import ancestor_ids, get_bureau
from app.calendar.services import WorkingDays
from app.clock import local_today, to_utc, utcnow
from app.errors import N_, Conflict, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.workflow.models import Case, Task
from app.workflow.services.cases import APP_TASK_PREFIX

REPORT_ELEMENT = "supervision_report"
REPORT_ROLE = Role.LEGAL  # the legal section of the county reports progress on its case
SUPERVISORS = frozenset({Role.SUPERVISION, Role.LEADER})
MAX_REASON = 500


def active_for_case(case_id: int) -> Supervision | None:
    """The case's active supervision, if any (visible to the case's bureau and the bureaus above it)."""
    return db.session.scalar(select(Supervision).where(Supervision.case_id == case_id,
                                                       Supervision.status == "active"))


def reports(supervision: Supervision) -> list[SupervisionReport]:
    """The supervision's progress reports, oldest first."""
    return list(db.session.scalars(select(SupervisionReport).where(SupervisionReport.supervision_id == supervision.id)
                                   .order_by(SupervisionReport.due_on, SupervisionReport.id)))


def _is_above(actor: User, bureau_id: int) -> bool:
    return actor.bureau_id != bureau_id and actor.bureau_id in ancestor_ids(bureau_id)


def _due_task(supervision: Supervision, case: Case, due_on: date) -> SupervisionReport:
    """The next report and its task in the case bureau's inbox (called in that bureau's context)."""
    report = SupervisionReport(supervision_id=supervision.id, case_id=case.id, due_on=due_on, status="open")
    db.session.add(report)
    db.session.flush()
    task = Task(case_id=case.id, spiff_task_id=f"{APP_TASK_PREFIX}supervision-report-{report.id}",
                element_id=REPORT_ELEMENT, name="督办进展报告", lane="法制科", role=REPORT_ROLE.value, form_key=None,
                restricted=False, state="ready", created_at=utcnow(),
                due_at=to_utc(datetime.combine(due_on, time(18, 0))))
    db.session.add(task)
    db.session.flush()
    report.task_id = task.id
    return report


def supervise(actor: User, case: Case, *, reason: str, deadline: date | None,
              report_every_days: int | None) -> Supervision:
    """Flag a lower bureau's case as supervised; its first progress report is due after `report_every_days`
    working days (the lower bureau's calendar). Audited in the case's bureau."""
    if not actor.role_set & SUPERVISORS or not _is_above(actor, case.bureau_id):
        raise PermissionDenied(N_("只有上级档案局的监督指导科或局领导可以挂牌督办下级局的案件。"))
    errors: dict[str, list[str]] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = [N_("请填写督办理由。")]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [N_("督办理由最多 500 字。")]
    today = local_today()
    if deadline is None:
        errors["deadline"] = [N_("请填写办结期限。")]
    elif deadline <= today:
        errors["deadline"] = [N_("办结期限须晚于今天。")]
    if report_every_days is None or not 1 <= report_every_days <= 60:
        errors["report_every_days"] = [N_("报告间隔须为 1–60 个工作日。")]
    if errors:
        raise ValidationFailed(errors)
    if case.status != "running":
        raise Conflict(N_("案件已办结，无需督办。"))
    if active_for_case(case.id) is not None:
        raise Conflict(N_("该案件已在挂牌督办中。"))
    assert deadline is not None and report_every_days is not None
    with use(for_bureau(case.bureau_id)):
        supervision = Supervision(case_id=case.id, supervising_bureau_id=actor.bureau_id, reason=reason,
                                  deadline=deadline, report_every_days=report_every_days, status="active",
                                  created_by_id=actor.id)
        db.session.add(supervision)
        db.session.flush()
        first_due = min(WorkingDays().add_working_days(today, report_every_days), deadline)
        report = _due_task(supervision, case, first_due)
        record_event("case.supervised", actor=actor, object_type="case", object_id=case.id,
                     details={"supervision_id": supervision.id, "by_bureau": get_bureau(actor.bureau_id).name,
                              "reason": reason, "deadline": deadline, "report_every_days": report_every_days,
                              "first_report_due": report.due_on})
    return supervision


def get_report(report_id: int) -> SupervisionReport:
    """A progress report in scope, or NotFound."""
    report = db.session.get(SupervisionReport, report_id)
    if report is None:
        raise NotFound(N_("督办报告不存在。"))
    return report


def submit_report(actor: User, report: SupervisionReport, progress: str) -> SupervisionReport | None:
    """The case's bureau reports progress; the report's task completes and the next one is scheduled
    (until the deadline). Returns the next report, if any. Audited."""
    if report.bureau_id != current().bureau_id or REPORT_ROLE not in actor.role_set:
        raise PermissionDenied(N_("督办进展报告由案件所在局的法制科填报。"))
    if report.status != "open":
        raise Conflict(N_("该报告已提交。"))
    progress = progress.strip()
    if not progress:
        raise ValidationFailed({"progress": [N_("请填写办理进展。")]})
    if len(progress) > 2000:
        raise ValidationFailed({"progress": [N_("办理进展最多 2000 字。")]})
    supervision = db.session.get(Supervision, report.supervision_id)
    case = db.session.get(Case, report.case_id)
    assert supervision is not None and case is not None
    now = utcnow()
    report.status, report.progress, report.submitted_by_id, report.submitted_at = "submitted", progress, actor.id, now
    task = db.session.get(Task, report.task_id) if report.task_id else None
    if task is not None and task.state == "ready":
        task.state, task.completed_at, task.completed_by_id = "completed", now, actor.id
    following = None
    if supervision.status == "active":
        due = WorkingDays().add_working_days(max(local_today(), report.due_on), supervision.report_every_days)
        if report.due_on < supervision.deadline:
            following = _due_task(supervision, case, min(due, supervision.deadline))
    db.session.flush()
    record_event("supervision.reported", actor=actor, object_type="case", object_id=case.id,
                 details={"supervision_id": supervision.id, "report_id": report.id, "due_on": report.due_on,
                          "late": local_today() > report.due_on, "progress": progress,
                          "next_due": following.due_on if following else None})
    return following


def escalate_overdue(today: date | None = None) -> int:
    """Worker job (in each bureau's context, or system): mark open reports past their due date as escalated to
    the supervising bureau; audited once per report. Returns how many were escalated."""
    today = today or local_today()
    overdue = list(db.session.scalars(select(SupervisionReport).where(
        SupervisionReport.status == "open", SupervisionReport.due_on < today,
        SupervisionReport.escalated_at.is_(None))))
    for report in overdue:
        supervision = db.session.get(Supervision, report.supervision_id)
        assert supervision is not None
        with use(for_bureau(report.bureau_id)):
            report.escalated_at = utcnow()
            db.session.flush()
            record_event("supervision.report_overdue", actor=None, object_type="case", object_id=report.case_id,
                         details={"supervision_id": supervision.id, "report_id": report.id, "due_on": report.due_on,
                                  "escalated_to": get_bureau(supervision.supervising_bureau_id).name})
    return len(overdue)


def lift(actor: User, supervision: Supervision, reason: str) -> None:
    """End the supervision: only a leader of the supervising bureau (or one above it); open report tasks are
    cancelled. Audited in the case's bureau."""
    if Role.LEADER not in actor.role_set or actor.bureau_id not in ancestor_ids(supervision.supervising_bureau_id):
        raise PermissionDenied(N_("解除挂牌督办须由督办局的局领导决定。"))
    if supervision.status != "active":
        raise Conflict(N_("该督办已解除。"))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"lift_reason": [N_("请填写解除理由。")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"lift_reason": [N_("解除理由最多 500 字。")]})
    now = utcnow()
    with use(for_bureau(supervision.bureau_id)):
        supervision.status, supervision.lifted_by_id, supervision.lifted_at = "lifted", actor.id, now
        supervision.lift_reason = reason
        cancelled = 0
        for report in reports(supervision):
            if report.status == "open" and report.task_id:
                task = db.session.get(Task, report.task_id)
                if task is not None and task.state == "ready":
                    task.state, task.completed_at = "cancelled", now
                    cancelled += 1
        db.session.flush()
        record_event("case.supervision_lifted", actor=actor, object_type="case", object_id=supervision.case_id,
                     details={"supervision_id": supervision.id, "reason": reason, "cancelled_reports": cancelled})


def is_overdue(report: SupervisionReport, today: date | None = None) -> bool:
    """An open report past its due date."""
    return report.status == "open" and report.due_on < (today or local_today())
