"""A pool of sandbox child processes: diagram code runs there, limited in time and memory.

The parent sends a job (code, task data, helper names) and waits on the socket at most the time
limit; helper call-backs from the child are answered meanwhile. A child that overruns is killed
(SIGKILL) and replaced; one that runs out of memory answers so and exits. Data from a child is
unpickled with an allow-list of plain types only: diagram code cannot make the parent build objects.
"""

from __future__ import annotations

import io
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from app.workflow.services import sandbox_child
from app.workflow.services.sandbox_child import LOCAL_HELPERS, describe_error, rebuild_error

CHILD_PATH = sandbox_child.__file__
MAX_IDLE = 4
START_TIMEOUT = 30.0  # a new child's interpreter start-up is not counted against the script


class ScriptTimeout(Exception):
    """Diagram code that ran past its time limit (its process was stopped)."""

    message = "script ran longer than its time limit"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"script ran longer than {seconds:g} s and was stopped")
        self.seconds = seconds


class ScriptMemoryExceeded(Exception):
    """Diagram code that asked for more memory than its limit."""

    def __init__(self, megabytes: int) -> None:
        super().__init__(f"script needed more than {megabytes} MB of memory and was stopped")
        self.megabytes = megabytes


class ScriptFailed(Exception):
    """The sandbox process ended without an answer, or answered with something it may not."""


_SAFE_GLOBALS = {
    ("builtins", name) for name in ("set", "frozenset", "bytearray", "complex", "slice", "range", "list", "dict",
                                    "tuple", "str", "int", "float", "bool", "bytes")
} | {("datetime", n) for n in ("date", "datetime", "time", "timedelta", "timezone")} | {
    ("decimal", "Decimal"), ("collections", "OrderedDict"), ("zoneinfo", "ZoneInfo._unpickle"),
    ("zoneinfo._zoneinfo", "ZoneInfo._unpickle"),
}


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
        return super().find_class(module, name)


def plain_loads(data: bytes) -> Any:
    """Unpickle data that came from a sandbox child: plain values only."""
    return _PlainUnpickler(io.BytesIO(data)).load()


class _Worker:
    """One child process and the parent's end of its socket."""

    def __init__(self) -> None:
        parent, child = socket.socketpair()
        self.sock = parent
        self.ready = False
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-I", CHILD_PATH, str(child.fileno())], pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL, close_fds=True)
        child.close()

    def send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.sock.sendall(len(data).to_bytes(8, "big") + data)

    def recv(self, deadline: float) -> Any:
        header = self._read(8, deadline)
        return plain_loads(self._read(int.from_bytes(header, "big"), deadline))

    def _read(self, size: int, deadline: float) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.sock], [], [], remaining)[0]:
                raise TimeoutError
            chunk = self.sock.recv(min(size - len(chunks), 1 << 20))
            if not chunk:
                raise EOFError
            chunks += chunk
        return bytes(chunks)

    def kill(self) -> None:
        try:
            self.process.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.sock.close()


class _Pool:
    """Idle children of this process (a forked server worker starts its own)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.idle: list[_Worker] = []
        self.lock = threading.Lock()

    def acquire(self) -> _Worker:
        with self.lock:
            while self.idle:
                worker = self.idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.sock.close()
        return _Worker()

    def release(self, worker: _Worker) -> None:
        with self.lock:
            if len(self.idle) < MAX_IDLE:
                self.idle.append(worker)
                return
        worker.kill()

    def discard(self, worker: _Worker) -> None:
        worker.kill()
        with self.lock:  # start the replacement now: the next script does not wait for an interpreter
            if len(self.idle) < MAX_IDLE:
                self.idle.append(_Worker())


_pool: _Pool | None = None
_pool_lock = threading.Lock()


def _get_pool() -> _Pool:
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = _Pool()
        return _pool


def warm_up() -> None:
    """Start one idle child ahead of the first script (e.g. when a server worker starts)."""
    pool = _get_pool()
    with pool.lock:
        if not pool.idle:
            pool.idle.append(_Worker())


def run(kind: str, source: str, context: dict[str, Any], external: dict[str, Any], helpers: dict[str, Any],
        *, seconds: float, memory_bytes: int) -> Any:
    """Run diagram code in a child: the value of an expression, or the task data after a script."""
    local = [name for name, value in helpers.items() if LOCAL_HELPERS.get(name) is value]
    proxied = {name: value for name, value in helpers.items() if name not in local}
    job = {"kind": kind, "source": source, "context": context, "external": external, "local": local,
           "proxied": list(proxied), "seconds": seconds, "memory": memory_bytes}
    pool = _get_pool()
    worker = pool.acquire()
    try:
        if not worker.ready:
            if worker.recv(time.monotonic() + START_TIMEOUT)[0] != "ready":
                raise EOFError
            worker.ready = True
        deadline = time.monotonic() + seconds
        worker.send(job)
        while True:
            message = worker.recv(deadline)
            if message[0] == "call":
                worker.send(_call_helper(proxied, *message[1:]))
                continue
            break
    except TimeoutError:
        pool.discard(worker)
        raise ScriptTimeout(seconds) from None
    except (EOFError, OSError, pickle.UnpicklingError) as exc:
        pool.discard(worker)
        if worker.process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise ScriptTimeout(seconds) from None
        raise ScriptFailed(f"the sandbox process ended unexpectedly ({type(exc).__name__})") from None
    if message[0] == "memory":
        pool.discard(worker)
        raise ScriptMemoryExceeded(memory_bytes // (1024 * 1024))
    pool.release(worker)
    if message[0] == "error":
        raise rebuild_error(*message[1:], extra={"ScriptFailed": ScriptFailed})
    try:
        return plain_loads(message[1])
    except pickle.UnpicklingError as exc:
        raise TypeError(f"the script produced a value that cannot be kept ({exc})") from None


def _call_helper(helpers: dict[str, Any], name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple:
    """Run a helper the child asked for, in this process; an error goes back to the script."""
    try:
        return ("ok", helpers[name](*args, **kwargs))
    except Exception as exc:
        return ("error", *describe_error(exc))
