"""Everything a diagram evaluates runs in the sandbox; escapes, file access and endless loops are stopped."""

import threading
import time
from datetime import datetime, timedelta

import pytest

from app.calendar.services import WorkingDays
from app.clock import set_clock, utcnow
from app.extensions import db
from app.operations.cli import worker
from app.workflow.models import Case
from app.workflow.services import cases, sandbox
from app.workflow.services.sandbox import (
    RestrictedEnvironment,
    ScriptMemoryExceeded,
    ScriptRejected,
    ScriptTimeout,
    base_helpers,
    check_compiles,
)
from tests.workflow.helpers import load_process


@pytest.fixture
def env():
    return RestrictedEnvironment(base_helpers(utcnow, WorkingDays({})), time_limit=0.5)


@pytest.mark.parametrize("source", [
    "__import__('os').system('echo pwned')",
    "().__class__.__base__.__subclasses__()",
    "getattr((), '__class__')",
    "[c for c in ().__class__.__bases__]",
])
def test_escapes_are_refused(env, source):
    with pytest.raises((ScriptRejected, NameError, AttributeError, SyntaxError)):
        env.execute(f"x = {source}", {})


def test_getattr_walk_to_subclasses_is_refused_at_run_time(env):
    with pytest.raises((ScriptRejected, NameError, AttributeError)):
        env.execute("name = '__class__'\nx = getattr((), name)", {})


def test_open_is_not_available(env):
    with pytest.raises(NameError):
        env.execute("data = open('/etc/passwd').read()", {})


def test_endless_loop_is_stopped(env):
    with pytest.raises(ScriptTimeout):
        env.execute("n = 0\nwhile True:\n    n += 1", {})


def test_endless_loop_in_a_condition_is_stopped(env):
    with pytest.raises(ScriptTimeout):
        env.evaluate("sum(a * b for a in range(999) for b in range(999) for c in range(999))", {})


def test_scripts_read_and_write_task_data(env):
    data = {"amount": 12000, "rows": [1, 2]}
    env.execute("fine = round_half_up(amount * 0.05, 2)\ntotal = sum(rows)\nrows.append(3)", data)
    assert data == {"amount": 12000, "rows": [1, 2, 3], "fine": 600.0, "total": 3}


def test_helpers_never_leak_into_task_data(env):
    data = {}
    env.execute("d = today()\nf = floor", data)
    assert "today" not in data and "f" not in data and "d" in data


def test_conditions_evaluate(env):
    assert env.evaluate("amount >= 10000 and party == 'person'", {"amount": 10000, "party": "person"}) is True


def test_lint_reports_compile_problems():
    assert check_compiles("x = __import__('os')", expression=False) is not None
    assert check_compiles("if x ==", expression=True) is not None
    assert check_compiles("x = 1", expression=False) is None


# Issue 17: limits that hold whatever the script does (the old line tracer was caught or blind to C code).
@pytest.mark.parametrize("source", [
    "for a in [1, 2, 3]:\n try:\n  while True: pass\n except Exception: pass",
    "while True:\n try:\n  while True: pass\n except:\n  pass",
    "try:\n x = 1\nfinally:\n while True:\n  pass",
    "def g():\n while True:\n  yield 1\nx = sum(g())",
    "x = 10**10**10",
])
def test_time_limit_cannot_be_caught_or_bypassed(env, source):
    started = time.monotonic()
    with pytest.raises(ScriptTimeout):
        env.execute(source, {})
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("source", ["x = 'a' * 10**10", "x = [0] * 10**9",
                                    "x = [i for i in range(999) for j in range(999) for k in range(999)]"])
def test_memory_limit_stops_huge_allocations(source):
    env = RestrictedEnvironment(base_helpers(utcnow, WorkingDays({})), time_limit=5, memory_mb=64)
    with pytest.raises((ScriptMemoryExceeded, ScriptTimeout)):
        env.execute(source, {})
    assert env.evaluate("1 + 1", {}) == 2  # the next script gets a fresh process


def test_a_stopped_script_does_not_block_other_requests(app, client):
    env = RestrictedEnvironment(base_helpers(utcnow, WorkingDays({})), time_limit=3)
    outcome = []

    def run():
        try:
            env.execute("x = 10**10**10", {})
        except ScriptTimeout:
            outcome.append("stopped")

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    response = client.get("/login")
    answered = time.monotonic() - started
    assert response.status_code == 200
    assert thread.is_alive(), "the page answered while the script was still running"
    thread.join()
    assert outcome == ["stopped"] and answered < 2


def test_helpers_use_the_apps_clock_and_errors_name_the_line(env):
    set_clock(lambda: datetime(2026, 1, 5, 9, 0))
    try:
        data = {}
        env.execute("t = now()\nd = today()", data)
        assert data["t"] == datetime(2026, 1, 5, 9, 0)
    finally:
        set_clock(None)
    with pytest.raises(ZeroDivisionError) as raised:
        env.execute("a = 1\nb = a / 0", {})
    assert raised.value.script_line == 2


def test_values_the_script_cannot_store_are_refused(env):
    with pytest.raises(TypeError):
        env.execute("x = (i for i in range(3))", {})


def test_a_timer_whose_script_loops_puts_the_case_in_error_once(app, tmp_path):
    previous, instance = sandbox.time_limit(), app.instance_path
    app.instance_path = str(tmp_path)  # the worker also tidies uploads: never the developer's instance folder
    sandbox.configure(0.5, 256)
    now = [datetime(2026, 3, 2, 9, 0)]
    set_clock(lambda: now[0])
    try:
        load_process("timer_script")
        case_id = cases.start_case(None, "test_timer_script", "t", {}).id
        db.session.commit()
        now[0] += timedelta(hours=2)
        runner = app.test_cli_runner()
        started = time.monotonic()
        result = runner.invoke(worker, ["--once"])
        assert result.exit_code == 0, result.output
        assert time.monotonic() - started < 10
        db.session.expire_all()
        case = db.session.get(Case, case_id)
        assert case.status == "error" and "0.5 秒" in case.error_message
        assert case.next_timer_at is None
        result = runner.invoke(worker, ["--once"])  # not picked up again
        assert "fired" not in result.output
    finally:
        set_clock(None)
        sandbox.configure(previous, 256)
        app.instance_path = instance
