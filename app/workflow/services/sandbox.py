"""The sandbox for everything a diagram evaluates: scripts, conditions, timer and DMN expressions.

SpiffWorkflow's default engine runs diagram code with plain exec/eval. Here every piece is compiled
with RestrictedPython (names and attributes starting with "_" refused at compile time, guarded
attribute access, item writes and iteration at run time), runs with a small whitelist of builtins
and helpers, and is stopped when it runs longer than its time limit.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from app.clock import local_today
from app.errors import N_

SCRIPT_FILENAME = "<diagram>"
DEFAULT_TIME_LIMIT = 2.0


class ScriptRejected(Exception):
    """Diagram code that the sandbox refuses to compile."""


class ScriptTimeout(Exception):
    """Diagram code that ran past its time limit."""

    message = N_("脚本运行超过 %(seconds)s 秒的时间限制，已被终止。")


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    operations: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b, "//=": lambda a, b: a // b, "%=": lambda a, b: a % b,
    }
    if op not in operations:
        raise ScriptRejected(f"operator {op} is not allowed")
    return operations[op](x, y)


def round_half_up(value: float | int | Decimal, digits: int = 0) -> float:
    """Commercial rounding (0.5 → 1), as in money amounts; Python's round() rounds half to even."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


_BUILTINS: dict[str, Any] = {
    **safe_builtins,
    **limited_builtins,
    "min": min, "max": max, "sum": sum, "any": any, "all": all, "enumerate": enumerate, "reversed": reversed,
    "list": list, "dict": dict, "set": set, "frozenset": frozenset, "map": map, "filter": filter,
    "sorted": sorted, "len": len, "abs": abs, "round": round,
}
for _name in ("compile", "setattr", "delattr", "__import__", "open", "exec", "eval", "globals", "locals", "vars"):
    _BUILTINS.pop(_name, None)

GUARDS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_write_": full_write_guard,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_print_": None,
}


@lru_cache(maxsize=2048)
def compile_expression(source: str) -> CodeType:
    """Compile an expression in restricted mode (cached); ScriptRejected lists the problems."""
    result = compile_restricted_eval(source, filename=SCRIPT_FILENAME)
    if result.errors or result.code is None:
        raise ScriptRejected("; ".join(result.errors) or "cannot compile")
    return result.code


@lru_cache(maxsize=2048)
def compile_script(source: str) -> CodeType:
    """Compile a script in restricted mode (cached); ScriptRejected lists the problems."""
    result = compile_restricted_exec(source, filename=SCRIPT_FILENAME)
    if result.errors or result.code is None:
        raise ScriptRejected("; ".join(result.errors) or "cannot compile")
    return result.code


class _Deadline:
    """A line tracer that raises ScriptTimeout in diagram code once the deadline passes.

    Only frames compiled from diagram code are traced, so the cost falls on scripts alone.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def global_trace(self, frame: FrameType, event: str, _arg: Any) -> Any:
        if frame.f_code.co_filename == SCRIPT_FILENAME:
            frame.f_trace_opcodes = True  # also catches loops written on one line (comprehensions)
            return self.local_trace
        return None

    def local_trace(self, _frame: FrameType, _event: str, _arg: Any) -> Any:
        if time.monotonic() > self.deadline:
            raise ScriptTimeout(f"script ran longer than {self.seconds:g} s and was stopped")
        return self.local_trace

    def run(self, code: CodeType, namespace: dict[str, Any]) -> Any:
        previous = sys.gettrace()
        sys.settrace(self.global_trace)
        try:
            return eval(code, namespace)  # noqa: S307 - restricted code object, guarded namespace
        finally:
            sys.settrace(previous)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that evaluates only sandboxed code."""

    def __init__(self, helpers: dict[str, Any] | None = None, time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        super().__init__(environment_globals=dict(helpers or {}))
        self.time_limit = time_limit

    def _namespace(self, context: dict[str, Any], external_context: dict[str, Any] | None) -> dict[str, Any]:
        namespace = dict(context)
        namespace.update(external_context or {})
        namespace.update(self.globals)
        namespace.update(GUARDS)
        return namespace

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate a condition or expression against task data."""
        code = compile_expression(expression.strip())
        return _Deadline(self.time_limit).run(code, self._namespace(context, external_context))

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run a script; names it assigns become task data (helpers and guards never do)."""
        code = compile_script(script)
        namespace = self._namespace(context, external_context)
        reserved = set(self.globals) | set(GUARDS) | set(external_context or {})
        clash = reserved & set(context)
        if clash:
            raise ValueError(f"task data overwrites a helper: {sorted(clash)}")
        _Deadline(self.time_limit).run(code, namespace)
        for key in list(context):
            if key not in namespace:
                del context[key]
        for key, value in namespace.items():
            if key in reserved or callable(value):
                continue
            context[key] = value
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are not offered to diagrams."""
        raise ScriptRejected("service tasks are not available")


def _iso(value: date | datetime) -> str:
    """ISO text of a date or time; naive times are the app's UTC, so say so (the engine reads naive as local)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return value.isoformat()


def base_helpers(now: Callable[[], datetime], working_days: Any) -> dict[str, Any]:
    """The whitelist of helpers every diagram may call."""
    return {
        "now": now,
        "today": local_today,
        "date": date, "datetime": datetime, "timedelta": timedelta,
        "round_half_up": round_half_up,
        "floor": math.floor, "ceil": math.ceil,
        "add_working_days": working_days.add_working_days,
        "working_days_between": working_days.working_days_between,
        "is_workday": working_days.is_workday,
        "iso": _iso,
    }


def make_script_engine(helpers: dict[str, Any], time_limit: float = DEFAULT_TIME_LIMIT) -> PythonScriptEngine:
    """A SpiffWorkflow script engine over the restricted environment."""
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers, time_limit))


def check_compiles(source: str, *, expression: bool) -> str | None:
    """None when the code compiles in the sandbox, else the reason (for the diagram lint)."""
    try:
        (compile_expression if expression else compile_script)(source.strip() if expression else source)
    except ScriptRejected as exc:
        return str(exc)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    return None
