"""Loading, running and saving one workflow instance with the sandboxed engine and the app's clock.

The serialized state of a case leaves out its spec (kept once per definition version) and records
the serializer version beside it. The restricted script engine is attached after every load: the
library does not serialize it, and a loaded workflow would otherwise run diagram code with exec.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from app import clock
from app.calendar.services import WorkingDays
from app.workflow.models import ProcessDefinition
from app.workflow.services.definitions import parsed
from app.workflow.services.sandbox import base_helpers, make_script_engine


def _build_serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _build_serializer()


class _ClockedDatetime(datetime):
    """SpiffWorkflow's timers call datetime.now(timezone.utc); this answers from the app's clock."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        current = clock.utcnow().replace(tzinfo=UTC)
        return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)


# The library hard-codes the wall clock in its timer module; give it ours so tests and the worker can move time.
spiff_timer.datetime = _ClockedDatetime  # type: ignore[misc]


def script_engine(time_limit: float | None = None) -> Any:
    """A fresh restricted engine for one unit of work (working-day overrides are read once within it)."""
    return make_script_engine(base_helpers(clock.utcnow, WorkingDays()), time_limit)


def new_workflow(definition: ProcessDefinition, data: dict[str, Any], time_limit: float | None = None
                 ) -> BpmnWorkflow:
    """A workflow at its start, with initial data."""
    version = parsed(definition, SERIALIZER)
    workflow = BpmnWorkflow(version.spec, version.subprocess_specs, script_engine=script_engine(time_limit))
    workflow.data.update(data)
    start = workflow.get_tasks(spec_name="Start")
    for task in start:
        task.data.update(data)
    return workflow


def dump(workflow: BpmnWorkflow) -> tuple[str, str]:
    """(state JSON without the spec, serializer version)."""
    registry = SERIALIZER.registry
    registry._encoder_mode = True  # what serialize_json does; pinned to SpiffWorkflow 3.2.x
    try:
        dct = SERIALIZER.to_dict(workflow)
    finally:
        registry._encoder_mode = False
    dct.pop("spec", None)
    dct.pop("subprocess_specs", None)
    return json.dumps(dct, cls=SERIALIZER._encoder_cls, separators=(",", ":")), SERIALIZER.VERSION


def load(definition: ProcessDefinition, state: str, serializer_version: str,
         time_limit: float | None = None) -> BpmnWorkflow:
    """Rebuild a workflow from its stored state and its version's cached spec; attach the sandbox."""
    version = parsed(definition, SERIALIZER)
    # One parse of state and spec together; the restore consumes the dicts, so each load needs fresh ones.
    dct = json.loads(f'{{"spec":{version.spec_json},"subprocess_specs":{version.subprocess_json},{state[1:]}')
    dct[SERIALIZER.VERSION_KEY] = serializer_version
    if serializer_version != SERIALIZER.VERSION:
        SERIALIZER.migrate(dct)
    workflow = SERIALIZER.from_dict(dct)
    workflow.script_engine = script_engine(time_limit)
    return workflow


def next_timer_due(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest due time (naive UTC) of the workflow's waiting timer events."""
    due: list[datetime] = []
    for event in workflow.waiting_events():
        if event.event_type not in ("TimeDateEventDefinition", "DurationTimerEventDefinition",
                                    "CycleTimerEventDefinition"):
            continue
        value = event.value
        if isinstance(value, dict):
            value = value.get("next")
        if not value:
            continue
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        due.append(moment)
    return min(due) if due else None
