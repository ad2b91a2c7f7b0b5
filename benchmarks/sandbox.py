"""Sandbox cost per piece of diagram code (prints figures; target in issue 17: ≤ 1 ms added per script).

Compares evaluating a condition and running a small script directly with RestrictedPython in this process
(what the old tracer-based sandbox cost, without its tracer) against the pool of limited child processes,
with small and with larger task data (a 60-field form with a 50-row table).

Run: .venv/bin/python benchmarks/sandbox.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and benchmarks/http.py would hide the standard
# `http` package (werkzeug imports http.server).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.calendar.services import WorkingDays  # noqa: E402
from app.clock import utcnow  # noqa: E402
from app.workflow.services.sandbox import RestrictedEnvironment, base_helpers  # noqa: E402
from app.workflow.services.sandbox_child import GUARDS, LOCAL_HELPERS, compile_expression, compile_script  # noqa: E402

RUNS = 500
SCRIPT = "fine = round_half_up(amount * 0.05, 2)\ntotal = sum(rows)\nmajor = fine >= 10000 or party == 'org'"
CONDITION = "amount >= 10000 and party == 'person'"


def _direct(kind: str, source: str, data: dict) -> None:
    code = compile_expression(source) if kind == "eval" else compile_script(source)
    namespace = dict(data)
    namespace.update(LOCAL_HELPERS)
    namespace.update(GUARDS)
    eval(code, namespace)  # noqa: S307 - benchmark of the restricted code path


def _median_ms(fn) -> float:
    fn()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    env = RestrictedEnvironment(base_helpers(utcnow, WorkingDays({})))
    small = {"amount": 12000, "party": "person", "rows": [1, 2, 3]}
    large = {**small, **{f"field_{i}": "某某档案馆业务指导记录" * 3 for i in range(60)},
             "table": [{"name": f"第{i}行", "count": i, "note": "备注" * 10} for i in range(50)]}
    env.execute(SCRIPT, dict(small))  # start the child process
    print(f"sandbox cost per piece of diagram code (median of {RUNS})")
    for label, data in (("small task data", small), ("60 fields + 50-row table", large)):
        d_eval = _median_ms(lambda data=data: _direct("eval", CONDITION, data))
        p_eval = _median_ms(lambda data=data: env.evaluate(CONDITION, dict(data)))
        d_exec = _median_ms(lambda data=data: _direct("exec", SCRIPT, data))
        p_exec = _median_ms(lambda data=data: env.execute(SCRIPT, dict(data)))
        print(f"  {label}: condition in-process {d_eval:.3f} ms, in the pool {p_eval:.3f} ms "
              f"(+{p_eval - d_eval:.3f} ms); script in-process {d_exec:.3f} ms, in the pool {p_exec:.3f} ms "
              f"(+{p_exec - d_exec:.3f} ms)")
    started = time.perf_counter()
    try:
        env.execute("x = 10**10**10", {})
    except Exception as exc:  # noqa: BLE001
        print(f"  10**10**10 stopped after {time.perf_counter() - started:.2f} s: {type(exc).__name__}")
    started = time.perf_counter()
    env.evaluate(CONDITION, dict(small))
    print(f"  first script after a kill (replacement child already starting): "
          f"{(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
