"""The sandbox's inner wall: restricted compilation, guards, and the child process that runs diagram code.

This module imports only the standard library and RestrictedPython, so a child process starts in a few
tens of milliseconds (`python -I sandbox_child.py FD`). The parent sends each piece of diagram code with
the task data (pickled); the child runs it under an address-space limit (RLIMIT_AS) and a CPU limit
(RLIMIT_CPU) and answers with the new task data or the error. Helpers that need the parent (its clock,
its database) are called back over the same socket. The parent kills a child that overruns its time.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import signal
import socket
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

SCRIPT_FILENAME = "<diagram>"


class ScriptRejected(Exception):
    """Diagram code that the sandbox refuses to compile."""


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


def iso(value: date | datetime) -> str:
    """ISO text of a date or time; naive times are the app's UTC, so say so (the engine reads naive as local)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return value.isoformat()


def add_months(day: date, months: int) -> date:
    """The same day `months` later (a period counted in months: the last day of a shorter month; Civil Code 201)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (following - timedelta(days=1)).day))


BUILTINS: dict[str, Any] = {
    **safe_builtins,
    **limited_builtins,
    "min": min, "max": max, "sum": sum, "any": any, "all": all, "enumerate": enumerate, "reversed": reversed,
    "list": list, "dict": dict, "set": set, "frozenset": frozenset, "map": map, "filter": filter,
    "sorted": sorted, "len": len, "abs": abs, "round": round,
}
for _name in ("compile", "setattr", "delattr", "__import__", "open", "exec", "eval", "globals", "locals", "vars"):
    BUILTINS.pop(_name, None)

GUARDS: dict[str, Any] = {
    "__builtins__": BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_write_": full_write_guard,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_print_": None,
}

# Helpers the child has itself (pure, no parent state); any other helper is called back in the parent.
LOCAL_HELPERS: dict[str, Any] = {
    "date": date, "datetime": datetime, "timedelta": timedelta,
    "round_half_up": round_half_up, "floor": math.floor, "ceil": math.ceil, "iso": iso, "add_months": add_months,
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


# ---- errors crossing the process boundary: (type name, args, script line) ----

PORTABLE_ERRORS: dict[str, type[BaseException]] = {
    cls.__name__: cls for cls in (
        ArithmeticError, AssertionError, AttributeError, Exception, IndexError, KeyError, LookupError,
        NameError, NotImplementedError, OverflowError, RecursionError, RuntimeError, StopIteration, SyntaxError,
        TypeError, UnicodeError, ValueError, ZeroDivisionError, ScriptRejected)
}


def describe_error(exc: BaseException) -> tuple[str, tuple[Any, ...], int]:
    """A picklable description of an exception raised by diagram code: type, plain args, script line."""
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SCRIPT_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    args = tuple(a if isinstance(a, str | int | float) else str(a) for a in exc.args)
    return type(exc).__name__, args, line


def rebuild_error(name: str, args: tuple[Any, ...], line: int,
                  extra: dict[str, type[BaseException]] | None = None) -> BaseException:
    """The exception a description stands for (unknown types become RuntimeError naming the type)."""
    known = {**PORTABLE_ERRORS, **(extra or {})}
    cls = known.get(name)
    error = cls(*args) if cls is not None else RuntimeError(f"{name}: {', '.join(map(str, args))}")
    error.script_line = line  # type: ignore[attr-defined]
    return error


# ---- the child process ----

class _Child:
    """The loop of one sandbox process: receive a job, run it, answer; helpers call back to the parent."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.baseline = _address_space()

    def send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.sock.sendall(len(data).to_bytes(8, "big") + data)

    def recv(self) -> Any:
        size = int.from_bytes(_read_exactly(self.sock, 8), "big")
        return pickle.loads(_read_exactly(self.sock, size))  # noqa: S301 - from the parent, trusted

    def proxy(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.send(("call", name, args, kwargs))
            reply = self.recv()
            if reply[0] == "ok":
                return reply[1]
            raise rebuild_error(*reply[1:])
        call.__name__ = name
        return call

    def limit(self, seconds: float, memory_bytes: int) -> None:
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = int(used.ru_utime + used.ru_stime + seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
        resource.setrlimit(resource.RLIMIT_AS, (self.baseline + memory_bytes, resource.RLIM_INFINITY))

    def run(self, job: dict[str, Any]) -> tuple[Any, ...]:
        kind, source = job["kind"], job["source"]
        code = compile_expression(source) if kind == "eval" else compile_script(source)
        namespace = dict(job["context"])
        namespace.update(job["external"])
        namespace.update({name: LOCAL_HELPERS[name] for name in job["local"]})
        namespace.update({name: self.proxy(name) for name in job["proxied"]})
        namespace.update(GUARDS)
        self.limit(job["seconds"], job["memory"])
        value = eval(code, namespace)  # noqa: S307 - restricted code object, guarded namespace
        if kind == "eval":
            return ("done", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        reserved = set(job["local"]) | set(job["proxied"]) | set(GUARDS) | set(job["external"])
        result = {k: v for k, v in namespace.items() if k not in reserved and not callable(v)}
        for key, value in result.items():
            try:
                pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                raise TypeError(f"{key}: {type(value).__name__} cannot be stored in task data") from exc
        return ("done", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def serve(self) -> None:
        _lock_down()
        self.send(("ready",))  # imports done: the parent's clock for the first job starts now
        while True:
            try:
                job = self.recv()
            except (EOFError, OSError):
                return
            try:
                answer: tuple[Any, ...] = self.run(job)
            except MemoryError:
                answer = ("memory",)
            except BaseException as exc:  # noqa: B036 - report whatever the script raised
                answer = ("error", *describe_error(exc))
            finally:
                resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            self.send(answer)
            if answer[0] == "memory":
                return  # after a failed allocation start clean: the parent replaces this process


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            raise EOFError
        chunks += chunk
    return bytes(chunks)


def _lock_down() -> None:
    """Defence in depth should diagram code ever get past RestrictedPython: no files written, few opened,
    no new processes (the parent's limits on time and memory come on top)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing the child
    for limit, value in ((resource.RLIMIT_FSIZE, 0), (resource.RLIMIT_NOFILE, 64), (resource.RLIMIT_NPROC, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass


def _address_space() -> int:
    """The process's current virtual size in bytes (the memory limit is counted on top of it)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


if __name__ == "__main__":
    _Child(socket.socket(fileno=int(sys.argv[1]))).serve()
