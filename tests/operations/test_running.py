"""Running it for real: gunicorn and a worker (production start), and `make run`'s supervisor, each answering /healthz.

Real processes on 127.0.0.1 and a free port, on a database of their own (a SQLite file, or a scratch PostgreSQL
database when TEST_DATABASE_URL is set), migrated by `flask db upgrade` as at deploy time.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import _scratch_postgres

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment of a fresh production installation whose database was migrated at deploy time."""
    pg = os.environ.get("TEST_DATABASE_URL")
    admin_url = None
    if pg:
        url, admin_url = _scratch_postgres(pg)
    else:
        url = f"sqlite:///{tmp_path / 'prod.db'}"
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": url,
           "FLASK_APP": "app", "LOG_FORMAT": "json"}
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    yield env
    if admin_url:
        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _healthz(port: int, timeout: float = 90.0, request_id: str = "", want: int = 200) -> tuple[int, dict, dict]:
    """Poll until /healthz answers `want` (or time runs out); returns (status, body, headers) of the last answer."""
    deadline = time.monotonic() + timeout
    last: tuple[int, dict, dict] = (0, {}, {})
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": request_id}
                                         if request_id else {})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                last = (response.status, json.loads(response.read()), dict(response.headers))
        except urllib.error.HTTPError as exc:
            last = (exc.code, json.loads(exc.read() or b"{}"), dict(exc.headers))
        except OSError:
            pass
        if last[0] == want:
            return last
        time.sleep(0.5)
    return last


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    process.send_signal(sig)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def test_gunicorn_and_a_worker_answer_healthz(deployed: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    env = {**deployed, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    with web_log.open("wb") as web_out, worker_log.open("wb") as worker_out:
        web = subprocess.Popen([BIN / "gunicorn", "-c", ROOT / "gunicorn.conf.py", "app:create_app()"],
                               env=env, cwd=ROOT, stdout=web_out, stderr=subprocess.STDOUT)
        try:
            # Before any worker runs, the server answers but says the worker is missing.
            status, body, _headers = _healthz(port, want=503)
            assert status == 503 and body["database"] == "ok" and body["worker"] == "missing"
            worker = subprocess.Popen([BIN / "flask", "worker", "--interval", "1"], env=env, cwd=ROOT,
                                      stdout=worker_out, stderr=subprocess.STDOUT)
            try:
                status, body, headers = _healthz(port, request_id="probe-42")
                assert status == 200, body
                assert body["status"] == "ok" and body["workers"] == 1
                assert headers["X-Request-ID"] == "probe-42"
            finally:
                assert _stop(worker) == 0
            # A worker that stops cleanly removes its heartbeat.
            status, body, _headers = _healthz(port, want=503)
            assert status == 503 and body["worker"] == "missing"
        finally:
            _stop(web)
    lines = [json.loads(line) for line in web_log.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "archives.access" and line.get("path") == "/healthz"]
    assert any(line["request_id"] == "probe-42" and line["status"] == 200 for line in access)
    assert "Booting worker" in web_log.read_text()  # gunicorn's own processes
    assert "stopped" in worker_log.read_text()


def _notifications(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM notification")).scalar() or 0)
    finally:
        engine.dispose()


def test_make_run_supervisor_starts_both_and_ctrl_c_stops_both(deployed: dict[str, str]) -> None:
    port = _free_port()
    env = {**deployed, "APP_ENV": "development"}
    # As `make run` does: the demo data, then the server and the worker together.
    subprocess.run([BIN / "flask", "demo", "seed"], env=env, cwd=ROOT, check=True, capture_output=True)
    assert _notifications(env["DATABASE_URL"]) == 0
    supervisor = subprocess.Popen([sys.executable, ROOT / "tools" / "run_dev.py", "--port", str(port),
                                   "--worker-interval", "1"], env=env, cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status, body, _headers = _healthz(port)
        assert status == 200 and body["workers"] == 1, body
        # The worker it started has already told the demo's people about their tasks (the bell's notifications).
        assert _notifications(env["DATABASE_URL"]) > 0
    finally:
        code = _stop(supervisor, signal.SIGINT)
    output = supervisor.stdout.read().decode() if supervisor.stdout else ""
    assert code == 0 and "server and worker stopped" in output
    # Nothing left listening.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
