"""Cases: starting them, completing their human tasks, firing their timers — each one transaction.

Services add and flush; the caller (request, CLI command, worker job) commits once. Every path saves
the workflow state, refreshes the task index and writes an audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import event, select
from sqlalchemy.orm import Session, contains_eager, lazyload
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.clock import to_local, to_utc, utcnow
from app.directories.models import InspectionObject
from app.directories.services.results import record_outcome
from app.disclosure.services import drafts as disclosure_drafts
from app.documents.services.documents import case_documents, generate
from app.errors import N_, Conflict, NotFound, PermissionDenied
from app.extensions import db
from app.recording import services as recording
from app.statistics.services import facts
from app.takeover.services.delegations import acting_for
from app.workflow.models import Case, ProcessDefinition, Task, TaskAssignee
from app.workflow.services import attachments, data_checks, legal_review, runtime, supplements
from app.workflow.services.choices import with_choices
from app.workflow.services.definitions import published
from app.workflow.services.engine_errors import ENGINE_EXCEPTIONS, translate_engine_error
from app.workflow.services.forms import validate_data
from app.workflow.services.lint import LANE_ROLES

Steps = list[dict[str, str]]


def _run_engine(workflow: BpmnWorkflow, first: Callable[[], None] | None = None) -> Steps:
    """Run `first` (e.g. completing a user task) then every engine step; return what the engine did."""
    steps: Steps = []

    def did_complete(task: Any) -> None:
        spec = task.task_spec
        if getattr(spec, "bpmn_id", None):
            steps.append({"element": spec.bpmn_id, "name": spec.bpmn_name or "", "type": type(spec).__name__})

    try:
        if first is not None:
            first()
        workflow.do_engine_steps(did_complete_task=did_complete)
    except ENGINE_EXCEPTIONS as exc:
        raise translate_engine_error(exc) from exc
    return steps


def _definition_ref(definition: ProcessDefinition) -> dict[str, Any]:
    return {"process_id": definition.process_id, "version": definition.version, "hash": definition.content_hash}


def _due(task: Any, workflow: BpmnWorkflow) -> datetime | None:
    """A user task's due time from its `due` property, an expression evaluated in the sandbox."""
    expression = task.task_spec.extensions.get("properties", {}).get("due")
    if not expression:
        return None
    try:
        value = workflow.script_engine.evaluate(task, expression)
    except ENGINE_EXCEPTIONS as exc:
        raise translate_engine_error(exc) from exc
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):  # the end of that day in the bureau's timezone, stored as UTC
        return to_utc(datetime.combine(value, datetime.max.time().replace(microsecond=0)))
    return None


def _named_users(task: Any) -> tuple[bool, list[int]]:
    """(restricted, user ids) from the task's `assignees` property naming a data variable."""
    variable = task.task_spec.extensions.get("properties", {}).get("assignees")
    if not variable:
        return False, []
    value = task.data.get(variable) or []
    ids = [int(v) for v in (value if isinstance(value, list) else [value]) if str(v).isdigit()]
    return True, sorted(set(ids))


APP_TASK_PREFIX = "app:"  # index rows the application adds beside the engine's (e.g. supervision reports)


def _ready_ids(workflow: BpmnWorkflow) -> set[str]:
    """Spiff ids of the workflow's READY human tasks (what the task index holds as open rows)."""
    return {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}


def _sync_index(case: Case, workflow: BpmnWorkflow, open_before: set[str] | None = None) -> list[Task]:
    """Make the task index match the workflow's READY human tasks; returns the rows added.

    `open_before`: the READY ids when the workflow was loaded (the index matched them then), minus the task
    just completed — then the open rows are read only when some must be cancelled.
    """
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    if open_before is None or open_before - ready.keys():
        open_rows = {row.spiff_task_id: row for row in db.session.scalars(
            select(Task).where(Task.case_id == case.id, Task.state == "ready",
                               Task.spiff_task_id.not_like(f"{APP_TASK_PREFIX}%")))}
    else:
        open_rows = dict.fromkeys(open_before)  # type: ignore[arg-type]  # all stay open: no row to touch
    added: list[Task] = []
    now = utcnow()
    for spiff_id, row in open_rows.items():
        if spiff_id not in ready:
            row.state, row.completed_at = "cancelled", now
    for spiff_id, task in ready.items():
        if spiff_id in open_rows:
            continue
        spec = task.task_spec
        restricted, users = _named_users(task)
        lane = spec.lane or ""
        row = Task(case_id=case.id, spiff_task_id=spiff_id, element_id=spec.bpmn_id,
                   name=spec.bpmn_name or spec.bpmn_id, lane=lane, role=LANE_ROLES[lane].value,
                   form_key=spec.extensions.get("properties", {}).get("form"),
                   restricted=restricted, state="ready", created_at=now, due_at=_due(task, workflow))
        row.assignees = [TaskAssignee(user_id=uid) for uid in users]
        db.session.add(row)
        added.append(row)
    return added


def _save(case: Case, workflow: BpmnWorkflow, open_before: set[str] | None = None) -> list[Task]:
    case.state, case.serializer_version = runtime.dump(workflow)
    case.updated_at = utcnow()
    case.next_timer_at = runtime.next_timer_due(workflow)
    if workflow.is_completed():
        case.status, case.completed_at, case.next_timer_at = "completed", case.updated_at, None
    try:  # one flush writes the case (its version checked) and the index together
        added = _sync_index(case, workflow, open_before)
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict(N_("案件已被他人同时修改，请刷新后重试。")) from exc
    return added


def start_case(actor: User | None, process_id: str, subject: str, data: dict[str, Any] | None = None, *,
               definition: ProcessDefinition | None = None, trial: bool = False) -> Case:
    """Start a case on the published version of a process (or, for a trial, on the given draft);
    runs until the first human task or timer."""
    definition = definition or published(process_id)
    initial = dict(data or {})
    workflow = runtime.new_workflow(definition, initial)
    steps = _run_engine(workflow)
    case = Case(definition_id=definition.id, definition=definition, subject=subject[:200], status="running",
                state="", serializer_version="", created_by_id=actor.id if actor else None, trial=trial,
                trial_hash=definition.content_hash if trial else None, party=party_of(initial))
    db.session.add(case)
    db.session.flush()
    _save(case, workflow)
    facts.case_started(case, definition.process_id, initial)
    details = {"subject": subject, "definition": _definition_ref(definition), "data": initial, "engine_steps": steps}
    if trial:
        details["trial"] = True
    record_event("case.started", actor=actor, object_type="case", object_id=case.id, details=details)
    return case


PARKED_WORKFLOW = "parked_workflow"  # session.info key: (case id, state, workflow) read but not changed


def load_workflow(case: Case) -> BpmnWorkflow:
    """The case's workflow; a trial whose draft was edited since it started is refused (its spec changed).

    A workflow that `park_workflow` left for this request is handed out once when the case's stored state is still
    the one it was restored from (a submit reads the form's choices, then completes: one restore, not two)."""
    if case.trial and case.trial_hash != case.definition.content_hash:
        raise Conflict(N_("草稿在试用开始后已修改，此试用案件已失效，请重新开始试用。"))
    parked = db.session.info.pop(PARKED_WORKFLOW, None)
    if parked is not None and parked[0] == case.id and parked[1] == case.state:
        return parked[2]
    return runtime.load(case.definition, case.state, case.serializer_version)


def park_workflow(case: Case, workflow: BpmnWorkflow) -> None:
    """Keep a workflow that was only read, for the next `load_workflow` of the same case in this session.

    Only an unchanged workflow may be parked: `load_workflow` hands it out as the restore of `case.state`."""
    db.session.info[PARKED_WORKFLOW] = (case.id, case.state, workflow)


def party_of(data: dict[str, Any]) -> str | None:
    """The party (or inspected unit) a submission names, for case lists."""
    value = data.get("party_name") or data.get("object_name")
    return str(value)[:200] if value else None


def get_case(case_id: int) -> Case:
    """The case or NotFound."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("案件不存在。"))
    return case


def get_task(task_id: int) -> Task:
    """The task index row or NotFound."""
    task = db.session.get(Task, task_id)
    if task is None:
        raise NotFound(N_("任务不存在。"))
    return task


def may_act(user: User, task: Task) -> bool:
    """Whether this user holds the task's role and, when restricted, is one of its named users (or their delegate).

    A trial case is walked by the one who started it, whatever the lanes say, and by nobody else."""
    if task.case.trial:
        return task.case.created_by_id == user.id
    if Role(task.role) not in user.role_set:
        return False
    if not task.restricted:
        return True
    acting = set(acting_for(user.id))
    return any(a.user_id in acting for a in task.assignees)


def completed_message(task: Task) -> Conflict:
    """'Already completed by X at T' for the loser of a race."""
    who = task.completed_by.full_name if task.completed_by else "—"
    when = to_local(task.completed_at).strftime("%Y-%m-%d %H:%M:%S") if task.completed_at else "—"
    if task.state == "cancelled":
        return Conflict(N_("此任务已因流程推进而取消。"))
    return Conflict(N_("此任务已由 %(name)s 于 %(time)s 完成。"), name=who, time=when)


def lock_case(case_id: int) -> Case:
    """The case row, locked for this transaction on PostgreSQL (fresh from the database)."""
    return _lock_case(case_id)


def save_case(case: Case, workflow: BpmnWorkflow) -> None:
    """Save the workflow state and refresh the task index (the caller audits)."""
    _save(case, workflow)


@event.listens_for(Session, "after_transaction_end")
def _forget_locks(session: Session, _transaction: object) -> None:
    session.info.pop("locked_cases", None)  # row locks end with their transaction
    session.info.pop(recording.CACHE_KEY, None)


def task_for_submit(task_id: int) -> Task:
    """The task with its case, both locked for this transaction (one statement; PostgreSQL row locks).

    Locking the task row too means a waiting submitter reads the state the winner committed. The case's
    definition comes along without its files; assignees are read only for restricted tasks.
    """
    listed = recording.listed_item_id(Case.bureau_id, Case.definition_id, Task.element_id)
    query = (select(Task, listed).join(Task.case).where(Task.id == task_id)
             .options(contains_eager(Task.case), lazyload(Task.assignees))
             .execution_options(populate_existing=True))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=[Task, Case])
    found = db.session.execute(query).first()
    if found is None:
        raise NotFound(N_("任务不存在。"))
    row, item_id = found
    db.session.info.setdefault("locked_cases", set()).add(row.case_id)
    recording.remember(row.case.bureau_id, row.case.definition.process_id, row.element_id, item_id)
    return row


def _lock_case(case_id: int) -> Case:
    query = (select(Case).where(Case.id == case_id).options(lazyload(Case.definition))
             .execution_options(populate_existing=True))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Case)
    case = db.session.scalar(query)
    if case is None:
        raise NotFound(N_("案件不存在。"))
    return case


def complete_task(actor: User, task_id: int, data: dict[str, Any]) -> Task:
    """Complete one human task with validated data, run the engine, save, index and audit.

    The rows of the tasks it opened are in `row.opened` (for "the next task" without another query).
    """
    row = get_task(task_id)
    if row.case_id in db.session.info.get("locked_cases", ()):  # task_for_submit locked and read both
        case = row.case
    else:
        case = _lock_case(row.case_id)
        db.session.refresh(row)
    if row.state != "ready":
        raise completed_message(row)
    if not may_act(actor, row):
        raise PermissionDenied(N_("您不是此任务的办理人。"))
    if case.status != "running":
        raise Conflict(N_("案件已暂停或已撤销，暂不能办理此任务。"))
    if not case.trial:
        legal_review.check_reviewer(actor, row)
    definition = case.definition
    workflow = load_workflow(case)
    task = workflow.get_task_from_id(UUID(row.spiff_task_id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise Conflict(N_("此任务当前不可办理。"))
    item = recording.item_for(case.bureau_id, definition.process_id, row.element_id)
    schema = recording.with_recording(definition.forms.get(row.form_key or ""), item)
    properties = task.task_spec.extensions.get("properties", {})
    if properties.get("documents"):  # a case older than its documents' required fields: the form asks for them
        schema = supplements.extend(schema, case, properties, dict(task.data))
    if schema is not None:
        validate_data(with_choices(schema, task.data), data)
        data_checks.check(row.form_key, data, dict(task.data))
        recording.check(item, data)
    attachments.claim(actor, row, schema, data)
    open_before = _ready_ids(workflow) - {row.spiff_task_id}

    def run_user_task() -> None:
        task.data.update(data)
        task.run()

    steps = _run_engine(workflow, run_user_task)
    row.state, row.completed_at, row.completed_by_id = "completed", utcnow(), actor.id
    case.party = party_of(data) or case.party
    row.opened = _save(case, workflow, open_before)  # type: ignore[attr-defined]
    after_task(actor, case, row, task)
    record_event("task.completed", actor=actor, object_type="case", object_id=case.id,
                 details={"task_id": row.id, "element": row.element_id, "name": row.name, "data": data,
                          "definition": _definition_ref(definition), "engine_steps": steps,
                          "case_status": case.status})
    return row


def after_task(actor: User, case: Case, row: Task, task: Any) -> None:
    """What a completed user task declares beyond the engine: documents to issue, a result to record."""
    properties = task.task_spec.extensions.get("properties", {})
    data = dict(task.data)
    doc_types = [d.strip() for d in properties.get("documents", "").split(",") if d.strip()]
    legal_review.record(actor, case, row, data)
    if row.form_key == legal_review.DECISION_FORM or "penalty_decision" in doc_types:
        legal_review.require_passed_review(case, data)
    for doc_type in doc_types:
        generate(actor, doc_type, data, case_id=case.id, task_id=row.id, element_id=row.element_id, trial=case.trial)
    started = None
    if properties.get("starts_process") and data.get("received"):
        # A trial opens a trial case: nothing real is started from a draft.
        subject = f"{data.get('object_name', '')}涉嫌档案违法案（随机抽查移送）"
        started = start_case(actor, properties["starts_process"], subject, transfer_data(case, data),
                             trial=case.trial)
    facts.task_completed(case, row.form_key, data, started)
    if case.trial:
        return  # a trial never writes results on real inspection objects
    if properties.get("records_result") == "true" and data.get("object_id") and data.get("outcome"):
        result = record_outcome(actor, int(data["object_id"]), data.get("checked_on") or utcnow().date().isoformat(),
                                str(data["outcome"]), case.id, note=str(data.get("feedback_summary", ""))[:500])
        disclosure_drafts.on_result_recorded(actor, result)  # its 抽查结果 draft, due in 20 working days
    if "service_receipt" in doc_types:  # the decision is served: its disclosure draft with the legal deadline
        disclosure_drafts.on_decision_served(actor, case.id, data)


def _object_address(data: dict[str, Any]) -> str:
    object_id = str(data.get("object_id", ""))
    unit = db.session.get(InspectionObject, int(object_id)) if object_id.isdigit() else None
    return unit.address if unit is not None else ""


def transfer_data(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """What a case opened from an inspection transfer carries: the unit, the facts, the evidence and the records."""
    evidence = [*(data.get("evidence") or []), *(data.get("av_records") or [])]
    return {"party_name": data.get("object_name", ""), "party_type": "unit", "source": "inspection",
            "party_credit_code": data.get("object_code", ""), "party_address": _object_address(data),
            "facts": data.get("transfer_facts", ""), "legal_basis": data.get("transfer_basis", ""),
            "clue_files": evidence, "inspection_case_id": case.id, "object_id": data.get("object_id"),
            "inspection_documents": [{"number": d.number, "type": d.doc_type, "id": d.id}
                                     for d in case_documents(case.id)]}


def task_data(task: Task) -> dict[str, Any]:
    """The data the task sees (for pre-filling its form and showing the case summary)."""
    workflow = load_workflow(task.case)
    spiff_task = workflow.get_task_from_id(UUID(task.spiff_task_id))
    return dict(spiff_task.data) if spiff_task is not None else dict(workflow.data)


def form_schema(task: Task) -> dict[str, Any]:
    """The task's form with its directory and team choices filled in (what the page renders and checks), the
    recording fields when the step is on the 音像记录事项清单, and the fields its documents need that this (older)
    case lacks."""
    empty: dict[str, Any] = {"type": "object", "properties": {}}
    definition = task.case.definition
    item = recording.item_for(task.case.bureau_id, definition.process_id, task.element_id)
    schema = recording.with_recording(definition.forms.get(task.form_key or "", empty), item)
    if task.state != "ready":
        return schema or empty
    workflow = load_workflow(task.case)
    spiff_task = workflow.get_task_from_id(UUID(task.spiff_task_id))
    data = dict(spiff_task.data) if spiff_task is not None else dict(workflow.data)
    properties = spiff_task.task_spec.extensions.get("properties", {}) if spiff_task is not None else {}
    if properties.get("documents"):
        schema = supplements.extend(schema, task.case, properties, data)
    park_workflow(task.case, workflow)  # only read here: the submit or the page's data goes on with it
    return with_choices(schema or empty, data)


def case_data(case: Case) -> dict[str, Any]:
    """The case's current data: the workflow's data merged with the latest task data."""
    workflow = load_workflow(case)
    data = dict(workflow.data)
    last = workflow.last_task
    if last is not None:
        data.update(last.data)
    return data
