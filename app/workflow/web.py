"""Inbox, task pages with their forms, case pages and the start page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from app.access import roles, signed_in
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.oversight_web import report_for_task
from app.bureaus.services import joint, supervision
from app.bureaus.services.supervision import REPORT_ELEMENT
from app.bureaus.services.tree import all_bureaus, ancestor_ids, can_read, get_bureau
from app.bureaus.web import reaches_down
from app.casefile.services.jobs import latest_case_file
from app.clock import utcnow
from app.documents.services.documents import case_documents
from app.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.security import safe_download_type
from app.web_helpers import translate
from app.workflow.case_filters import CASES_PER_PAGE, case_query
from app.workflow.case_web import element_details_html, step_titles, viewable_case
from app.workflow.forms_web import render_fields
from app.workflow.services import attachments, case_view, cases, definitions, history, inbox, supplements
from app.workflow.services import case_list as case_list_service
from app.workflow.services.access import may_view_case
from app.workflow.services.context import task_context
from app.workflow.services.forms import parse_submission, widget
from app.workflow.services.presenter import present

bp = Blueprint("workflow", __name__)
STARTERS = (Role.LEGAL, Role.SUPERVISION)


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def _storage() -> Path:
    return Path(current_app.config["FILES_DIR"]) / "attachments"


def _as_guest(task_id: int | None = None, case_id: int | None = None) -> bool:
    """A task (or case) of another bureau naming this user (a joint draw): continue as its bureau's guest."""
    if g.get("guest_host") is not None:
        return False
    host = joint.host_of(current_user, task_id=task_id, case_id=case_id)
    if host is None:
        return False
    joint.enter_as_guest(current_user, host)
    g.guest_host = host
    return True


def _task_for_submit(task_id: int) -> Any:
    try:
        return cases.task_for_submit(task_id)
    except NotFound:
        if _as_guest(task_id=task_id):
            return _task_for_submit(task_id)
        abort(404)


def _task_or_404(task_id: int) -> Any:
    try:
        return cases.get_task(task_id)
    except NotFound:
        if _as_guest(task_id=task_id):
            return _task_or_404(task_id)
        abort(404)


@bp.route("/tasks")
@signed_in
def my_tasks() -> Any:
    """The signed-in user's open tasks, soonest due first."""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with joint.InboxScope(current_user) as guests:  # tasks of a joint draw naming this user, in another bureau
        tasks, total = inbox.my_tasks(current_user, page=page, guests=guests)
        hosts = {b.id: b for b in all_bureaus() if b.id in guests} if guests else {}
        return render_template("workflow/inbox.html", tasks=tasks, total=total, page=page, now=utcnow(),
                               hosts=hosts)


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@signed_in
@reaches_down()
def task_page(task_id: int) -> Any:
    """A task with its instructions, case summary and form; POST completes it and opens the next task."""
    uploads = request.method == "POST" and any(f.filename for _k, fs in request.files.lists() for f in fs)
    if request.method == "POST" and not uploads and not request.form.get("_add_row"):
        task = _task_for_submit(task_id)  # one statement reads and locks task and case
    else:
        task = _task_or_404(task_id)
    if task.element_id == REPORT_ELEMENT:  # a supervision progress report: its own page
        report_id = report_for_task(task.id)
        if report_id is None:
            abort(404)
        return redirect(url_for("oversight.report", report_id=report_id))
    can_act = task.state == "ready" and cases.may_act(current_user, task)
    if not can_act and not may_view_case(current_user, task.case):  # who may act may see the case
        abort(403)
    schema = cases.form_schema(task)
    errors: dict[str, list[str]] = {}
    submitted: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        if not can_act:
            if task.state != "ready":
                flash(translate(cases.completed_message(task)), "warning")
                return redirect(url_for("workflow.task_page", task_id=task.id))
            abort(403)
        try:
            stored = _store_pending(task, schema)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            errors = {k: [_(m) for m in v] for k, v in exc.errors.items()}
            return _render_task(task, schema, _raw_values(schema, {}), errors, can_act), 400
        add_row = request.form.get("_add_row")
        if add_row:
            return _render_task(task, schema, _raw_values(schema, stored), {}, can_act, {add_row: 1}), 200
        try:
            queue = {name: list(ids) for name, ids in stored.items()}
            data = parse_submission(schema, request.form, files=request.files,
                                    store_file=lambda field, _upload: queue[field].pop(0))
            if stored:
                task = _task_for_submit(task_id)  # the uploads were committed: lock afresh
            if g.get("guest_host") is not None:
                joint.record_guest_write(current_user, g.guest_host, task.id)
            done = cases.complete_task(current_user, task.id, data)
            name = done.name
            following = next((r.id for r in getattr(done, "opened", []) if cases.may_act(current_user, r)), None)
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            errors = {k: [_(getattr(m, "msgid", m), **getattr(m, "params", {})) for m in v]
                      for k, v in exc.errors.items()}
            flash(translate(exc), "danger")
            submitted, status = _raw_values(schema, stored), 400
        except (Conflict, PermissionDenied) as exc:
            db.session.rollback()
            flash(translate(exc), "warning")
            return redirect(url_for("workflow.task_page", task_id=task_id))
        except OperationalError:
            # SQLite: another request committed this case first (its write lock or snapshot won).
            db.session.rollback()
            task = _task_or_404(task_id)
            flash(translate(cases.completed_message(task)) if task.state != "ready" else
                  _("案件已被他人同时修改，请刷新后重试。"), "warning")
            return redirect(url_for("workflow.task_page", task_id=task_id))
        except DomainError as exc:
            db.session.rollback()
            flash(translate(exc), "danger")
            submitted, status = _raw_values(schema, stored), 422
        else:
            flash(_("任务“%(name)s”已完成。", name=name), "success")
            if following is not None:  # straight on to this person's next step of the case
                return redirect(url_for("workflow.task_page", task_id=following), 303)
            return redirect(url_for("workflow.my_tasks"))
    live = cases.task_data(task) if task.state == "ready" else None
    values = submitted if submitted is not None else (live if can_act and live is not None else {})
    return _render_task(task, schema, values, errors, can_act, live=live), status


def _raw_values(schema: dict[str, Any], stored: dict[str, list[int]]) -> dict[str, Any]:
    """What the user typed and chose, to show back with the errors (files kept as pending uploads)."""
    values: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if widget(schema, name, prop) in ("file", "files"):
            kept = [int(v) for v in request.form.getlist(f"f.{name}.keep") if v.isdigit() and len(v) < 10]
            values[name] = kept + stored.get(name, [])
        elif prop.get("type") == "array" and prop.get("items", {}).get("type") == "object":
            rows: dict[int, dict[str, Any]] = {}
            prefix = f"f.{name}."
            for key in request.form:
                if key.startswith(prefix) and key.count(".") == 3:
                    _f, _n, index, sub = key.split(".")
                    if index.isdigit():
                        rows.setdefault(int(index), {})[sub] = request.form.get(key)
            values[name] = [rows[i] for i in sorted(rows)]
        elif prop.get("type") == "array":
            values[name] = request.form.getlist(f"f.{name}")
        else:
            values[name] = request.form.get(f"f.{name}")
    return values


def _render_task(task: Any, schema: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]],
                 can_act: bool, extra_rows: dict[str, int] | None = None, live: dict[str, Any] | None = None) -> str:
    locale = _locale()

    def shown(attachment_id: int) -> Any:
        return attachments.for_task(attachment_id, task, current_user)

    sections, own = task_context(task, locale, shown, live)
    instructions = schema.get("instructions_en" if locale == "en" else "instructions") or schema.get("instructions")
    missing = supplements.supplemented(schema)
    if missing and can_act:
        note = _("本案件开始时的表单缺少生成文书所需的%(count)s项内容（标有“补充”），请一并填写。", count=len(missing))
        instructions = f"{note} {instructions or ''}".strip()
    fields = render_fields(schema, values, errors, locale, extra_rows)
    form_errors = errors.get("_form", [])
    return render_template("workflow/task.html", task=task, fields=fields, can_act=can_act,
                           instructions=instructions, form_errors=form_errors,
                           form_title=schema.get("title_en" if locale == "en" else "title") or task.name,
                           attachment=shown, sections=sections, own=own)


def _store_pending(task: Any, schema: dict[str, Any]) -> dict[str, list[int]]:
    """Keep the files chosen in this submission as pending uploads of this task and person (committed now),
    so an added row or a refused submission does not lose them."""
    stored: dict[str, list[int]] = {}
    for name, prop in schema.get("properties", {}).items():
        if widget(schema, name, prop) not in ("file", "files"):
            continue
        for upload in request.files.getlist(f"f.{name}"):
            if not upload.filename:
                continue
            record = attachments.store(_storage(), actor=current_user, case_id=task.case_id, task_id=task.id,
                                       field=name, filename=upload.filename, content_type=upload.mimetype or "",
                                       stream=upload.stream, pending=True)
            stored.setdefault(name, []).append(record.id)
    if stored:
        db.session.commit()
    return stored


@bp.route("/cases")
@roles(Role.SUPERVISION, Role.LEGAL, Role.LEADER, Role.AUDITOR, Role.ADMIN)
@reaches_down()
def case_list() -> Any:
    """Cases: search, filter (process, status, party, dates, overdue, person), sort and page."""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query, kept, errors = case_query(request.args)
    bureaus = {b.id: b for b in all_bureaus() if can_read(b.id)}
    now = utcnow()
    items, total = case_list_service.search_cases(query, now, page=page, per_page=CASES_PER_PAGE)
    return render_template("workflow/cases.html", cases=items, total=total, page=page, filters=kept, errors=errors,
                           pages=max(1, (total + CASES_PER_PAGE - 1) // CASES_PER_PAGE), now=now,
                           open_tasks=case_list_service.open_tasks([c.id for c in items]),
                           processes=case_list_service.process_choices(), people=case_list_service.people(),
                           sort=query.sort, descending=query.descending,
                           count_limit=case_list_service.COUNT_LIMIT, bureaus=bureaus,
                           bureau=bureaus.get(query.bureau_id) if query.bureau_id else None)


@bp.route("/cases/<int:case_id>")
@signed_in
@reaches_down()
def case_page(case_id: int) -> Any:
    """A case on its pinned diagram: state per element, what happened at each, tasks, documents, data, history."""
    case = viewable_case(case_id, as_guest=lambda: _as_guest(case_id=case_id))
    if case.trial and case.trial_hash != case.definition.content_hash:  # the draft changed since the trial began
        flash(_("草稿在试用开始后已修改，此试用案件已失效，请重新开始试用。"), "warning")
    locale = _locale()
    events = history.case_events(case.id)
    steps = history.replay(case, events)
    timers = case_view.waiting_timers(case)
    data = steps[-1].data if steps else {}  # everything submitted so far, replayed from the events
    diagrams = case_view.diagram_files(case)
    flag = supervision.active_for_case(case.id)
    return render_template("workflow/case.html", case=case, tasks=inbox.case_tasks(case),
                           supervision=flag, supervision_reports=supervision.reports(flag) if flag else [],
                           case_bureau=get_bureau(case.bureau_id),
                           may_supervise=bool(current_user.role_set & supervision.SUPERVISORS)
                           and case.bureau_id != current_user.bureau_id and case.status == "running",
                           may_lift=Role.LEADER in current_user.role_set and flag is not None
                           and current_user.bureau_id in ancestor_ids(flag.supervising_bureau_id),
                           data=present(case.definition.forms, data, locale, attachments.get),
                           steps=steps, timers=timers, titles=step_titles(), diagrams=diagrams,
                           markers=case_view.markers(steps[-1] if steps else None, timers, diagrams),
                           details=element_details_html(case, events, locale),
                           attachment=attachments.get, documents=case_documents(case.id), confirm_form=ConfirmForm(),
                           latest_file=latest_case_file(case.id))


@bp.route("/cases/new", methods=["GET", "POST"])
@roles(*STARTERS)
def start_case() -> Any:
    """Start a case on a published process."""
    options = definitions.startable({str(current_app.config["DRAW_PROCESS_ID"])})
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        process_id = request.form.get("process_id", "")
        subject = (request.form.get("subject") or "").strip()
        if not subject:
            flash(_("请填写案件名称。"), "danger")
        else:
            try:
                if process_id not in {d.process_id for d in options}:
                    abort(400)
                case = cases.start_case(current_user, process_id, subject)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                flash(translate(exc), "danger")
            else:
                flash(_("案件已创建。"), "success")
                return redirect(url_for("workflow.case_page", case_id=case.id))
        return render_template("workflow/start.html", options=options, form=form), 400
    return render_template("workflow/start.html", options=options, form=form)


@bp.route("/attachments/<int:attachment_id>")
@signed_in
@reaches_down()
def download(attachment_id: int) -> Any:
    """An uploaded file, to those who may see its case."""
    record = attachments.get(attachment_id)
    if record is None or (record.pending and record.uploaded_by_id != current_user.id):
        abort(404)
    if record.case_id is None or not may_view_case(current_user, cases.get_case(record.case_id)):
        abort(403)
    return send_file(_storage() / record.storage_path, mimetype=safe_download_type(record.content_type),
                     as_attachment=True, download_name=record.filename)
