"""Task submits over real HTTP against gunicorn on PostgreSQL (issue 17's performance figures).

Starts `gunicorn -w 2` on 127.0.0.1 (loopback only) over a scratch PostgreSQL database holding cases of a
5-user-task process, signs clients in through the login form, and prints:
  (a) submit median (one client, POST only; the CSRF token is read once per session),
  (b) one whole 5-task case: 5 submits, and 5 submits each followed by the GET of the next task (a browser),
  (c) throughput: 8 clients submitting for DURATION seconds (completions per second),
  (d) 50 clients each doing inbox GET + submit a few times: p95 and errors,
  (e) SQL statements per submit (counted in-process with SQLAlchemy events on the same database).

Run: .venv/bin/python benchmarks/http.py   (needs PostgreSQL on 127.0.0.1:5432; BENCH_DURATION to change (c))
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the standard `http`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import http.client  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

from benchmarks import engine  # noqa: E402
from benchmarks._setup import database, make_app, pg_available, summary  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
CASES = 700
PASSWORD = "demo-legal-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One browser-like HTTP client: its own session cookie and CSRF token, one connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        location = response.getheader("Location") or ""
        connection.close()
        return response.status, location, text

    def sign_in(self, username: str, password: str) -> None:
        _status, _loc, page = self.request("GET", "/login")
        self.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _loc, _page = self.request("POST", "/login", {"csrf_token": self.csrf, "username": username,
                                                             "password": password})
        assert status == 302, f"sign-in failed: {status}"
        _status, _loc, page = self.request("GET", "/account/password")  # a form page: the new session's token
        self.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def submit(self, task_id: int) -> tuple[int, int | None]:
        status, location, _text = self.request("POST", f"/tasks/{task_id}",
                                               {"csrf_token": self.csrf, "f.ok": "true", "f.note": "同意"})
        match = re.search(r"/tasks/(\d+)$", location)
        return status, int(match.group(1)) if match else None


def _prepare(app, folder: Path) -> list[int]:  # type: ignore[no-untyped-def]
    """CASES cases of the 5-task process; returns the first task id of each."""
    from sqlalchemy import select

    from app.auth.services import find_user
    from app.extensions import db
    from app.workflow.models import Task
    from app.workflow.services import cases, definitions

    with app.app_context():
        definitions.load_folder(None, folder, folder / "forms")
        db.session.commit()
        legal = find_user("demo.legal")
        ids = []
        for n in range(CASES):
            case = cases.start_case(legal, "bench_linear", f"基准{n}", {})
            db.session.commit()
            ids.append(db.session.scalar(select(Task.id).where(Task.case_id == case.id, Task.state == "ready")))
        return ids


def _statements_per_submit(app, task_id: int) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    from app.extensions import db

    client = app.test_client()
    client.post("/login", data={"username": "demo.legal", "password": PASSWORD})
    client.get(f"/tasks/{task_id}")
    seen: list[str] = []
    with app.app_context():
        engine_ = db.engine

    def count(_c, _cur, statement, _p, _ctx, _many):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    event.listen(engine_, "before_cursor_execute", count)
    client.post(f"/tasks/{task_id}", data={"f.ok": "true", "f.note": "同意"})
    event.remove(engine_, "before_cursor_execute", count)
    return len(seen)


def main() -> None:
    if not pg_available():
        print("PostgreSQL on 127.0.0.1:5432 does not answer: nothing measured")
        return
    engine.TASKS = 5
    with database("postgresql") as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine.linear_process(folder)
        app = make_app(url)
        app.config.update(WTF_CSRF_ENABLED=False, LOGIN_SLOWDOWN_SECONDS=0)
        firsts = _prepare(app, folder)
        statements = _statements_per_submit(app, firsts.pop())
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "y" * 40, "APP_ENV": "production",
               "SESSION_COOKIE_SECURE": "false", "LOGIN_CLIENT_LIMIT": "100000"}
        server = subprocess.Popen(  # noqa: S603 - our venv's gunicorn, loopback only
            [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
             "app:create_app()"], cwd=ROOT, env=env)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            _run(port, firsts, statements)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _run(port: int, firsts: list[int], statements: int) -> None:
    queue = list(firsts)
    lock = threading.Lock()

    def next_case() -> int | None:
        with lock:
            return queue.pop() if queue else None

    print(f"HTTP benchmark: gunicorn -w 2 on PostgreSQL, 127.0.0.1:{port}, 5-task cases")
    client = Client(port)
    client.sign_in("demo.legal", PASSWORD)
    for _ in range(3):  # warm both workers (parsed spec, sandbox child)
        task = next_case()
        while task:
            _status, task = client.submit(task)
    client.request("GET", "/tasks")  # the warm-up's flashed messages shown, as a browser would
    submits: list[float] = []
    case_posts: list[float] = []
    case_browser: list[float] = []
    for _ in range(12):
        task = next_case()
        started = time.perf_counter()
        while task:
            t0 = time.perf_counter()
            _status, task = client.submit(task)
            submits.append((time.perf_counter() - t0) * 1000)
        case_posts.append((time.perf_counter() - started) * 1000)
        # As a browser does between cases: show a page, which takes the flashed "completed" messages out of the
        # session cookie (a client that never follows a redirect would send an ever longer cookie).
        client.request("GET", "/tasks")
    for _ in range(8):
        task = next_case()
        started = time.perf_counter()
        while task:
            _status, task = client.submit(task)
            if task:
                client.request("GET", f"/tasks/{task}")
        case_browser.append((time.perf_counter() - started) * 1000)
    print(f"  (a) submit (POST):                      {summary(submits)}")
    print(f"  (b) 5-task case, 5 submits:            median {statistics.median(case_posts):7.1f} ms")
    print(f"      5-task case, submits + next pages: median {statistics.median(case_browser):7.1f} ms")

    done = [0]
    errors = [0]
    latencies: list[float] = []
    clients = []
    for _ in range(8):  # signed in before the clock starts (a password check is deliberately slow)
        clients.append(Client(port))
        clients[-1].sign_in("demo.legal", PASSWORD)
    stop = time.monotonic() + DURATION

    def worker(own: Client) -> None:
        while time.monotonic() < stop:
            task = next_case()
            if task is None:
                return
            while task and time.monotonic() < stop + 5:
                t0 = time.perf_counter()
                status, task = own.submit(task)
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if status in (302, 303):
                        done[0] += 1
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=worker, args=(own,)) for own in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(f"  (c) 8 clients × {DURATION:g} s: {done[0] / elapsed:6.1f} completions/s "
          f"({done[0]} in {elapsed:.1f} s, {errors[0]} errors); submit {summary(latencies)}")

    inbox: list[float] = []
    posts: list[float] = []
    failures = [0]

    crowd_clients = []
    for _ in range(50):
        crowd_clients.append(Client(port))
        crowd_clients[-1].sign_in("demo.legal", PASSWORD)

    def crowd(own: Client) -> None:
        task = next_case()
        for _ in range(4):
            if task is None:
                return
            t0 = time.perf_counter()
            status, _loc, _page = own.request("GET", "/tasks")
            elapsed_ms = (time.perf_counter() - t0) * 1000
            t1 = time.perf_counter()
            post_status, task = own.submit(task)
            with lock:
                inbox.append(elapsed_ms)
                posts.append((time.perf_counter() - t1) * 1000)
                failures[0] += (status != 200) + (post_status not in (302, 303))

    crowd_threads = [threading.Thread(target=crowd, args=(own,)) for own in crowd_clients]
    for thread in crowd_threads:
        thread.start()
    for thread in crowd_threads:
        thread.join()
    print(f"  (d) 50 clients, inbox:  {summary(inbox)}")
    print(f"      50 clients, submit: {summary(posts)}  errors {failures[0]}")
    print(f"  (e) SQL statements per submit (PostgreSQL, transaction control not counted): {statements}")


if __name__ == "__main__":
    main()
