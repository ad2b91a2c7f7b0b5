"""The sandbox for everything a diagram evaluates: scripts, conditions, timer and DMN expressions.

SpiffWorkflow's default engine runs diagram code with plain exec/eval. Here every piece is first
compiled with RestrictedPython (names and attributes starting with "_" refused at compile time,
guarded attribute access, item writes and iteration at run time) and then runs in a separate
process from a small pool (sandbox_pool), with a whitelist of builtins and helpers, an address-space
limit and a wall-clock limit: whatever the code does (catch the timeout, loop in `finally`, compute
10**10**10), the parent stops waiting at the limit, kills the process and reports a task error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from app.clock import local_today
from app.workflow.services import sandbox_pool
from app.workflow.services.sandbox_child import (
    GUARDS,
    SCRIPT_FILENAME,
    ScriptRejected,
    add_months,
    compile_expression,
    compile_script,
    iso,
    round_half_up,
)
from app.workflow.services.sandbox_pool import ScriptMemoryExceeded, ScriptTimeout

__all__ = ["GUARDS", "SCRIPT_FILENAME", "ScriptMemoryExceeded", "ScriptRejected", "ScriptTimeout",
           "RestrictedEnvironment", "base_helpers", "check_compiles", "configure", "make_script_engine",
           "round_half_up"]

DEFAULT_TIME_LIMIT = 2.0
DEFAULT_MEMORY_MB = 256
_limits = {"seconds": DEFAULT_TIME_LIMIT, "memory_mb": DEFAULT_MEMORY_MB}

def configure(seconds: float, memory_mb: int) -> None:
    """The limits every diagram script runs under unless a caller asks for others (from configuration)."""
    _limits["seconds"], _limits["memory_mb"] = float(seconds), int(memory_mb)


def time_limit() -> float:
    """The configured time limit of one piece of diagram code, in seconds."""
    return _limits["seconds"]


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that evaluates only sandboxed code, in a limited child process."""

    def __init__(self, helpers: dict[str, Any] | None = None, time_limit: float | None = None,
                 memory_mb: int | None = None) -> None:
        super().__init__(environment_globals=dict(helpers or {}))
        self.time_limit = time_limit if time_limit is not None else _limits["seconds"]
        self.memory_mb = memory_mb if memory_mb is not None else _limits["memory_mb"]

    def _run(self, kind: str, source: str, context: dict[str, Any], external: dict[str, Any]) -> Any:
        return sandbox_pool.run(kind, source, context, external, self.globals,
                                seconds=self.time_limit, memory_bytes=self.memory_mb * 1024 * 1024)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate a condition or expression against task data."""
        source = expression.strip()
        compile_expression(source)  # the first wall, in this process: refused code never leaves it
        return self._run("eval", source, context, external_context or {})

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run a script; names it assigns become task data (helpers and guards never do)."""
        compile_script(script)
        external = external_context or {}
        reserved = set(self.globals) | set(GUARDS) | set(external)
        clash = reserved & set(context)
        if clash:
            raise ValueError(f"task data overwrites a helper: {sorted(clash)}")
        result = self._run("exec", script, context, external)
        for key in list(context):
            if key not in result:
                del context[key]
        context.update(result)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are not offered to diagrams."""
        raise ScriptRejected("service tasks are not available")


class _SandboxedEngine(PythonScriptEngine):
    """The script engine, reporting the diagram line of an error raised in the child process."""

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        line = getattr(err, "script_line", 0) or 0
        if isinstance(err, SyntaxError):
            line = err.lineno or 0
        lines = script.splitlines()
        return line, lines[line - 1] if 0 < line <= len(lines) else ""


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
        "iso": iso,
        "add_months": add_months,
    }


def make_script_engine(helpers: dict[str, Any], time_limit: float | None = None) -> PythonScriptEngine:
    """A SpiffWorkflow script engine over the restricted environment."""
    return _SandboxedEngine(environment=RestrictedEnvironment(helpers, time_limit))


def check_compiles(source: str, *, expression: bool) -> str | None:
    """None when the code compiles in the sandbox, else the reason (for the diagram lint)."""
    try:
        (compile_expression if expression else compile_script)(source.strip() if expression else source)
    except ScriptRejected as exc:
        return str(exc)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    return None
