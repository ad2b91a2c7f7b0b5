"""Moving running cases to a newer published version of their process, with a preview and a reason.

SpiffWorkflow aligns the old spec with the new (`SpecDiff`, by element id, then by structure) and moves a
workflow onto it (`migrate_workflow`, which resets and re-predicts the READY/WAITING branches). We refuse
what would lose or corrupt work: an open task whose element was removed or changed type, any task whose element
no longer exists (the state could not be read back), a called subprocess that runs and was changed. The preview
is a real dry run in memory; the migration itself is one transaction per case, audited with both versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.errors import N_, Conflict, DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.workflow.models import Case, ProcessDefinition, Task
from app.workflow.services import cases, runtime
from app.workflow.services.definitions import parsed
from app.workflow.services.engine_errors import ENGINE_EXCEPTIONS, translate_engine_error
from app.workflow.services.lint import LANE_ROLES

OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED


class Refusal(DomainError):
    """Why one case cannot be moved (a translatable reason naming the element)."""


@dataclass
class TaskChange:
    """One human task before → after: kept, changed (same task, new properties), removed or added."""

    element_id: str
    name: str
    change: str  # kept | changed | removed | added


@dataclass
class Preview:
    """What migrating one case would do, or why it is refused."""

    case: Case
    target: ProcessDefinition
    tasks: list[TaskChange] = field(default_factory=list)
    added_elements: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        """No reason to refuse."""
        return not self.refusals


def _label(spec: Any) -> str:
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _human(spec: Any) -> bool:
    return bool(getattr(spec, "manual", False) and getattr(spec, "bpmn_id", None))


def candidates(target: ProcessDefinition) -> list[Case]:
    """Running real cases of the same process on an older version than `target`."""
    older = select(ProcessDefinition.id).where(ProcessDefinition.process_id == target.process_id,
                                               ProcessDefinition.version < target.version)
    return list(db.session.scalars(select(Case).where(Case.definition_id.in_(older), Case.status == "running",
                                                      Case.trial.is_(False)).order_by(Case.id)))


def _check_target(case: Case, target: ProcessDefinition) -> list[Refusal]:
    if case.trial:
        return [Refusal(N_("试用案件不迁移。"))]
    if case.status != "running":
        return [Refusal(N_("只能迁移办理中的案件。"))]
    if target.process_id != case.definition.process_id or target.status != "published" \
            or target.version <= case.definition.version:
        return [Refusal(N_("只能迁移到同一流程中比当前版本更新的已发布版本。"))]
    return []


def _migrate_in_memory(case: Case, target: ProcessDefinition) -> tuple[BpmnWorkflow, Preview]:
    """Load the case, move it onto the target spec in memory, and describe what changed."""
    preview = Preview(case, target, refusals=_check_target(case, target))
    if preview.refusals:
        return cases.load_workflow(case), preview
    workflow = cases.load_workflow(case)
    registry = runtime.SERIALIZER.registry
    new = parsed(target, runtime.SERIALIZER)
    spec_diff = SpecDiff(registry, workflow.spec, new.spec)
    diff = WorkflowDiff(workflow, spec_diff)
    before = {str(t.id): t.task_spec for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    for task in workflow.get_tasks(state=OPEN, skip_subprocesses=True):
        if task in diff.removed:
            preview.refusals.append(Refusal(N_("环节“%(name)s”（%(element)s）正在办理，新版本中已删除。"),
                                            name=_label(task.task_spec), element=task.task_spec.name))
        elif "typename" in spec_diff.changed.get(task.task_spec, []):
            preview.refusals.append(Refusal(N_("环节“%(name)s”（%(element)s）正在办理，新版本中改变了类型。"),
                                            name=_label(task.task_spec), element=task.task_spec.name))
    gone = {t.task_spec.name: _label(t.task_spec) for t in diff.removed if not t.has_state(OPEN)}
    for element, name in sorted(gone.items()):
        preview.refusals.append(Refusal(N_("已办理过的环节“%(name)s”（%(element)s）在新版本中已删除，案件历史将无法读取。"),
                                        name=name, element=element))
    for sub in workflow.subprocesses.values():
        new_sub = new.subprocess_specs.get(sub.spec.name)
        if new_sub is None:
            preview.refusals.append(Refusal(N_("子流程“%(name)s”在新版本中已不再调用。"), name=sub.spec.name))
            continue
        sub_diff = SpecDiff(registry, sub.spec, new_sub)
        if not sub.is_completed() and (sub_diff.added or sub_diff.removed or sub_diff.changed):
            preview.refusals.append(Refusal(N_("子流程“%(name)s”正在运行，且在新版本中已修改。"),
                                            name=sub.spec.description or sub.spec.name))
    preview.added_elements = sorted(_label(s) for s in spec_diff.added if getattr(s, "bpmn_id", None))
    if preview.refusals:
        return workflow, preview
    changed_specs = set(spec_diff.changed)
    migrate_workflow(diff, workflow, new.spec)
    try:
        workflow.do_engine_steps()
    except ENGINE_EXCEPTIONS as exc:
        error = str(translate_engine_error(exc))
        preview.refusals.append(Refusal(N_("按新版本继续运行时出错：%(error)s"), error=error))
        return workflow, preview
    after = {str(t.id): t.task_spec for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    old_specs_changed = {s.name for s in changed_specs}
    for spiff_id, spec in before.items():
        change = "removed" if spiff_id not in after else ("changed" if spec.name in old_specs_changed else "kept")
        preview.tasks.append(TaskChange(spec.name, _label(after.get(spiff_id, spec)), change))
    for spiff_id, spec in after.items():
        if spiff_id not in before and _human(spec):
            preview.tasks.append(TaskChange(spec.name, _label(spec), "added"))
    return workflow, preview


def preview(case_id: int, target_id: int) -> Preview:
    """What migrating this case to the target version would change (nothing is written)."""
    case, target = cases.get_case(case_id), _definition(target_id)
    try:
        return _migrate_in_memory(case, target)[1]
    except DomainError as exc:
        return Preview(case, target, refusals=[Refusal(exc.message, **exc.params)])


def _definition(definition_id: int) -> ProcessDefinition:
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFound(N_("流程版本不存在。"))
    return definition


def _refresh_open_rows(case: Case, workflow: BpmnWorkflow) -> None:
    """Kept tasks take the new element's name, lane/role and form."""
    ready = {str(t.id): t.task_spec for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    for row in db.session.scalars(select(Task).where(Task.case_id == case.id, Task.state == "ready")):
        spec = ready.get(row.spiff_task_id)
        if spec is None:
            continue
        lane = spec.lane or ""
        row.name, row.lane, row.role = spec.bpmn_name or spec.bpmn_id, lane, LANE_ROLES[lane].value
        row.form_key = spec.extensions.get("properties", {}).get("form")


def migrate_case(actor: User, case_id: int, target_id: int, reason: str) -> Preview:
    """Move one case to the target version (caller commits: one transaction per case); audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [N_("请填写迁移原因。")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [N_("迁移原因最多 500 字。")]})
    case = cases.lock_case(case_id)
    target = _definition(target_id)
    old = case.definition
    workflow, result = _migrate_in_memory(case, target)
    if not result.safe:
        first = result.refusals[0]
        raise Conflict(first.message, **first.params)
    case.definition_id, case.definition = target.id, target
    cases.save_case(case, workflow)
    _refresh_open_rows(case, workflow)
    db.session.flush()
    record_event("case.migrated", actor=actor, object_type="case", object_id=case.id,
                 details={"reason": reason,
                          "from": {"version": old.version, "hash": old.content_hash, "definition_id": old.id},
                          "to": {"version": target.version, "hash": target.content_hash, "definition_id": target.id},
                          "tasks": [{"element": t.element_id, "name": t.name, "change": t.change}
                                    for t in result.tasks]})
    return result
