"""Everything a diagram evaluates runs in the sandbox; escapes, file access and endless loops are stopped."""

import pytest

from app.calendar.services import WorkingDays
from app.clock import utcnow
from app.workflow.services.sandbox import (
    RestrictedEnvironment,
    ScriptRejected,
    ScriptTimeout,
    base_helpers,
    check_compiles,
)


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
