"""The 音像记录事项清单: kept by the legal section (audited), read by the procedures and the public portal.

A step on the list (process and BPMN element of a user task) cannot be completed without an uploaded recording
or a stated reason: its form gains the recording fields if it lacks them, and `check` refuses the submission
otherwise. Coverage per step counts, over the task index and the attachments, how often the step was recorded.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select

from app.audit.services import record_event
from app.auth.models import User
from app.auth.roles import Role
from app.clock import utcnow
from app.errors import N_, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.recording.models import METHODS, RecordingItem

RECORDS_FIELD = "av_records"
REASON_FIELD = "av_missing_reason"
METHOD_LABELS = {"video": N_("录像"), "audio": N_("录音"), "audio_video": N_("录音录像"),
                 "photo_video": N_("拍照和录像")}
MISSING = N_("《音像记录事项清单》要求此步骤进行音像记录：请上传音像记录，或填写未进行音像记录的原因。")
FIELDS = ("process_id", "element_id", "method", "recorder", "note", "position")


CACHE_KEY = "recording_items"


def listed_item_id(bureau_id: Any, definition_id: Any, element_id: Any) -> Any:
    """A correlated scalar subquery: the id of the active entry for a task's step (the submit path reads it in its
    one statement instead of asking again)."""
    from app.workflow.models import ProcessDefinition

    process_id = select(ProcessDefinition.process_id).where(ProcessDefinition.id == definition_id).scalar_subquery()
    return (select(RecordingItem.id).where(RecordingItem.bureau_id == bureau_id,
                                           RecordingItem.process_id == process_id,
                                           RecordingItem.element_id == element_id,
                                           RecordingItem.active.is_(True))
            .limit(1).scalar_subquery())


def remember(bureau_id: int, process_id: str, element_id: str, item_id: int | None) -> None:
    """Keep what the submit statement found for this step until the transaction ends."""
    db.session.info.setdefault(CACHE_KEY, {})[(bureau_id, process_id, element_id)] = item_id


def item_for(bureau_id: int, process_id: str, element_id: str) -> RecordingItem | None:
    """The active list entry for this step in the case's bureau, if any."""
    cached = db.session.info.get(CACHE_KEY, {})
    key = (bureau_id, process_id, element_id)
    if key in cached:
        return db.session.get(RecordingItem, cached[key]) if cached[key] is not None else None
    item = db.session.scalar(select(RecordingItem).where(
        RecordingItem.bureau_id == bureau_id, RecordingItem.process_id == process_id,
        RecordingItem.element_id == element_id, RecordingItem.active.is_(True)))
    cached_map = db.session.info.setdefault(CACHE_KEY, {})
    cached_map[key] = item.id if item is not None else None
    return item


def with_recording(schema: dict[str, Any] | None, item: RecordingItem | None) -> dict[str, Any] | None:
    """The form of a listed step with the recording fields (added when the form lacks them)."""
    if schema is None or item is None:
        return schema
    properties = schema.get("properties", {})
    if RECORDS_FIELD in properties and REASON_FIELD in properties:
        return schema
    schema = copy.deepcopy(schema)
    properties = schema.setdefault("properties", {})
    properties.setdefault(RECORDS_FIELD, {"type": "array", "title": "音像记录", "title_en": "Audio/video records",
                                          "items": {"type": "integer", "format": "attachment"}, "maxItems": 20})
    properties.setdefault(REASON_FIELD, {"type": "string", "title": "未进行音像记录的原因",
                                         "title_en": "Why there is no audio/video record", "maxLength": 500})
    ui = schema.setdefault("ui", {})
    order = ui.get("order")
    if order:
        ui["order"] = [*order, *(f for f in (RECORDS_FIELD, REASON_FIELD) if f not in order)]
    ui.setdefault("help", {})[REASON_FIELD] = "此步骤列入《音像记录事项清单》：没有上传音像记录时必须填写。"
    ui.setdefault("help_en", {})[REASON_FIELD] = "This step is on the recording list: required without a recording."
    ui.setdefault("accept", {})[RECORDS_FIELD] = "video/*,audio/*"
    resumable = ui.get("resumable") or schema.get("ui", {}).get("resumable") or []
    ui["resumable"] = [*resumable, RECORDS_FIELD] if RECORDS_FIELD not in resumable else resumable
    return schema


def check(item: RecordingItem | None, data: dict[str, Any]) -> None:
    """Refuse a listed step's submission that has neither a recording nor a reason."""
    if item is None:
        return
    if data.get(RECORDS_FIELD) or str(data.get(REASON_FIELD) or "").strip():
        return
    raise ValidationFailed({REASON_FIELD: [MISSING]})


def list_items(*, active_only: bool = False) -> list[RecordingItem]:
    """The current bureau's list, in its order."""
    statement = select(RecordingItem)
    if active_only:
        statement = statement.where(RecordingItem.active.is_(True))
    return list(db.session.scalars(statement.order_by(RecordingItem.position, RecordingItem.id)))


def public_list() -> list[RecordingItem]:
    """Every bureau's active entries: published data, read in the public scope whoever asks (read-only)."""
    from app.bureaus import context

    with context.use(context.PUBLIC):
        return list(db.session.scalars(select(RecordingItem).where(RecordingItem.active.is_(True))
                                       .order_by(RecordingItem.bureau_id, RecordingItem.position, RecordingItem.id)))


@dataclass(frozen=True)
class Step:
    """A user task of a procedure that may be put on the list."""

    process_id: str
    process_name: str
    element_id: str
    name: str


def steps() -> list[Step]:
    """The user tasks of the procedures the current bureau uses (from their BPMN)."""
    from app.workflow.services.definitions import in_use
    from app.workflow.services.xmlsafe import parse_xml

    found: dict[tuple[str, str], Step] = {}
    for definition in in_use():
        for _name, text in sorted(definition.files.items()):
            if not _name.endswith(".bpmn"):
                continue
            tree = parse_xml(text)
            for process in tree.iter("{*}process"):
                pid = process.get("id", "")
                for task in process.iter("{*}userTask"):
                    key = (pid, task.get("id", ""))
                    found.setdefault(key, Step(pid, process.get("name") or pid, key[1], task.get("name") or key[1]))
    return sorted(found.values(), key=lambda s: (s.process_id, s.element_id))


def _require_legal(actor: User) -> None:
    if Role.LEGAL not in actor.role_set and Role.ADMIN not in actor.role_set:
        raise PermissionDenied(N_("只有法制科可以修改音像记录事项清单。"))


def save_item(actor: User, values: dict[str, str], item_id: int | None = None) -> RecordingItem:
    """Add or change an entry (process and step chosen from the procedures); audited with before and after."""
    _require_legal(actor)
    db.session.info.pop(CACHE_KEY, None)
    errors: dict[str, list[str]] = {}
    known = {(s.process_id, s.element_id): s for s in steps()}
    step = known.get((values.get("process_id", ""), values.get("element_id", "")))
    if step is None:
        errors["element_id"] = [N_("请选择流程中的一个办理步骤。")]
    if values.get("method") not in METHODS:
        errors["method"] = [N_("请选择记录方式。")]
    recorder = (values.get("recorder") or "").strip()
    if not recorder:
        errors["recorder"] = [N_("请填写由谁记录（例如：执法检查人员）。")]
    elif len(recorder) > 200:
        errors["recorder"] = [N_("不能超过 200 个字。")]
    if len(values.get("note") or "") > 500:
        errors["note"] = [N_("不能超过 500 个字。")]
    position = (values.get("position") or "0").strip()
    if not position.isdigit() or int(position) > 9999:
        errors["position"] = [N_("序号应为 0–9999 的整数。")]
    if step is not None and not errors:
        clash = db.session.scalar(select(RecordingItem.id).where(
            RecordingItem.process_id == step.process_id, RecordingItem.element_id == step.element_id,
            RecordingItem.bureau_id == actor.bureau_id))
        if clash is not None and clash != item_id:
            errors["element_id"] = [N_("此步骤已在清单中。")]
    if errors:
        raise ValidationFailed(errors)
    assert step is not None
    item = _get(item_id) if item_id else RecordingItem(bureau_id=actor.bureau_id, active=True)
    before = _snapshot(item) if item_id else None
    item.process_id, item.element_id, item.step_name = step.process_id, step.element_id, step.name
    item.method, item.recorder, item.note = values["method"], recorder, (values.get("note") or "").strip()
    item.position, item.updated_at, item.updated_by_id = int(position), utcnow(), actor.id
    db.session.add(item)
    db.session.flush()
    record_event("recording.item_saved", actor=actor, object_type="recording_item", object_id=item.id,
                 details={"before": before, "after": _snapshot(item)})
    return item


def set_active(actor: User, item_id: int, active: bool) -> RecordingItem:
    """Take an entry off the list (or back on); audited."""
    _require_legal(actor)
    db.session.info.pop(CACHE_KEY, None)
    item = _get(item_id)
    item.active, item.updated_at, item.updated_by_id = active, utcnow(), actor.id
    db.session.flush()
    record_event("recording.item_activated" if active else "recording.item_deactivated", actor=actor,
                 object_type="recording_item", object_id=item.id, details=_snapshot(item))
    return item


def _get(item_id: int) -> RecordingItem:
    item = db.session.get(RecordingItem, item_id)
    if item is None:
        raise NotFound(N_("清单条目不存在。"))
    return item


def _snapshot(item: RecordingItem) -> dict[str, Any]:
    return {"process_id": item.process_id, "element_id": item.element_id, "step_name": item.step_name,
            "method": item.method, "recorder": item.recorder, "note": item.note, "position": item.position,
            "active": item.active}


@dataclass
class Coverage:
    """How often a listed step was completed with a recording, and how often with a reason instead."""

    item: RecordingItem
    completed: int
    recorded: int

    @property
    def with_reason(self) -> int:
        return self.completed - self.recorded

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.recorded / self.completed, 1) if self.completed else None


def coverage(start: datetime, end: datetime) -> list[Coverage]:
    """Per active entry: tasks of that step completed in [start, end) and those with an audio/video attachment
    — one grouped query over the task index and the attachments."""
    from app.workflow.models import Attachment, Case, ProcessDefinition, Task

    items = list_items(active_only=True)
    if not items:
        return []
    recorded = (select(Attachment.task_id).where(Attachment.field == RECORDS_FIELD, Attachment.pending.is_(False))
                .subquery())
    rows = db.session.execute(
        select(Task.bureau_id, ProcessDefinition.process_id, Task.element_id, func.count(distinct(Task.id)),
               func.count(distinct(recorded.c.task_id)))
        .join(Case, Case.id == Task.case_id).join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .outerjoin(recorded, recorded.c.task_id == Task.id)
        .where(Task.state == "completed", Task.completed_at >= start, Task.completed_at < end,
               Case.trial.is_(False),
               Task.element_id.in_(sorted({i.element_id for i in items})))
        .group_by(Task.bureau_id, ProcessDefinition.process_id, Task.element_id)).all()
    counts = {(b, p, e): (int(n), int(r)) for b, p, e, n, r in rows}
    result = []
    for item in items:
        done, rec = counts.get((item.bureau_id, item.process_id, item.element_id), (0, 0))
        result.append(Coverage(item, done, rec))
    return result


