"""`make run`: the development server and the timer worker together; Ctrl-C (or SIGTERM) stops both.

If either process ends on its own, the other is stopped too, so nothing is left running in the background.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time


def main() -> int:
    """Start `flask run` and `flask worker`, wait, stop both; exit with the first one's code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    parser.add_argument("--worker-interval", default="10", help="seconds between the worker's polls")
    args = parser.parse_args()
    flask = [sys.executable, "-m", "flask"]
    children = [
        subprocess.Popen([*flask, "run", "--host", args.host, "--port", str(args.port)]),
        subprocess.Popen([*flask, "worker", "--interval", str(args.worker_interval)]),
    ]
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        ended = [c for c in children if c.poll() is not None]
        if ended:
            code = ended[0].returncode or 0
            break
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("server and worker stopped", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
