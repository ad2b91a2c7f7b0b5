"""Turning SpiffWorkflow's exceptions into domain errors that name the diagram element."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from app.errors import N_, DomainError
from app.workflow.services.sandbox import ScriptMemoryExceeded, ScriptRejected, ScriptTimeout, time_limit
from app.workflow.services.sandbox_pool import ScriptFailed


class EngineError(DomainError):
    """Diagram code failed (raised, timed out, was refused): the whole unit of work is rolled back."""

    def __init__(self, message: str, element_id: str = "", element_name: str = "", **params: Any) -> None:
        super().__init__(message, element=element_name or element_id, **params)
        self.element_id = element_id
        self.element_name = element_name


def _root_cause(exc: BaseException) -> BaseException:
    """The library wraps script errors (raising inside `except`); follow the chain to what the script raised."""
    current = exc
    for _ in range(6):
        nested = current.__cause__ or current.__context__
        if nested is None:
            break
        current = nested
    return current


def translate_engine_error(exc: Exception, seconds: float | None = None) -> EngineError:
    """An EngineError naming the element and, for scripts, the line."""
    task = getattr(exc, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(exc, "task_spec", None)
    element_id = getattr(spec, "bpmn_id", None) or getattr(exc, "id", "") or ""
    element_name = getattr(spec, "bpmn_name", None) or getattr(exc, "name", "") or ""
    inner = _root_cause(exc)
    if isinstance(inner, ScriptTimeout) or getattr(exc, "error_type", "") == "ScriptTimeout":
        seconds = getattr(inner, "seconds", None) or seconds or time_limit()
        return EngineError(N_("流程在“%(element)s”出错：脚本运行超过 %(seconds)s 秒的时间限制，已被终止。"),
                           element_id, element_name, seconds=f"{seconds:g}")
    if isinstance(inner, ScriptMemoryExceeded):
        return EngineError(N_("流程在“%(element)s”出错：脚本使用的内存超过 %(megabytes)s MB 的限制，已被终止。"),
                           element_id, element_name, megabytes=inner.megabytes)
    if isinstance(inner, ScriptRejected):
        return EngineError(N_("流程在“%(element)s”出错：脚本被沙箱拒绝（%(detail)s）。"), element_id, element_name,
                           detail=str(inner))
    line = getattr(exc, "line_number", None)
    detail = f"{type(inner).__name__}: {inner}"
    if line:
        return EngineError(N_("流程在“%(element)s”第 %(line)s 行出错：%(detail)s"), element_id, element_name,
                           line=line, detail=detail)
    return EngineError(N_("流程在“%(element)s”出错：%(detail)s"), element_id, element_name, detail=detail)


ENGINE_EXCEPTIONS = (WorkflowTaskException, SpiffWorkflowException, ScriptTimeout, ScriptRejected, ScriptMemoryExceeded,
                     ScriptFailed, NameError, TypeError, ValueError, KeyError, ZeroDivisionError, AttributeError,
                     IndexError, ArithmeticError, RecursionError, RuntimeError)
