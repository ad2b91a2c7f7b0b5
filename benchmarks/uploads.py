"""Resumable upload benchmark (prints figures): 2 GB through the tus endpoint of a real gunicorn on loopback.

Targets: peak server memory ≤ 100 MB, throughput ≥ 100 MB/s, and after a cut at 50 % (the client drops the
connection in the middle of a chunk, then the server is restarted so the SHA-256 state is lost) only the rest is sent.
Run: .venv/bin/python benchmarks/uploads.py [--size-mb 2048] [--postgres]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and benchmarks/http.py would hide the standard
# `http` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import base64  # noqa: E402
import hashlib  # noqa: E402
import http.client  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402
from http.cookiejar import CookieJar  # noqa: E402
from urllib.parse import urlencode  # noqa: E402
from urllib.request import HTTPCookieProcessor, Request, build_opener  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHUNK = 32 * 1024 * 1024
BLOCK = os.urandom(1024 * 1024)
ROTATIONS = [BLOCK[k * 4099:] + BLOCK[:k * 4099] for k in range(7)]  # 7 different MB, cheap to serve


def data_piece(offset: int, length: int) -> bytes:
    """Bytes [offset, offset+length) of the synthetic recording (seven random MBs in turn)."""
    out = bytearray()
    while length:
        mb, within = divmod(offset, len(BLOCK))
        take = min(length, len(BLOCK) - within)
        out += memoryview(ROTATIONS[mb % 7])[within:within + take]
        offset, length = offset + take, length - take
    return bytes(out)


def prepare(folder: Path, url: str) -> tuple[dict[str, str], int]:
    """A migrated database with the demo users and an inspector's task whose form takes recordings."""
    from sqlalchemy import select
    from sqlalchemy.orm.attributes import flag_modified

    from app.auth.models import User
    from app.clock import set_clock
    from app.extensions import db
    from app.workflow.cli import run_due_timers
    from app.workflow.models import Task
    from app.workflow.services import cases, definitions
    from benchmarks._setup import make_app

    app = make_app(url)
    with app.app_context():
        data = ROOT / "tests" / "data" / "timers"
        definitions.load_folder(None, data, data / "forms", publish=True)
        inspector = db.session.scalar(select(User).where(User.username == "demo.inspector"))
        set_clock(lambda: datetime(2026, 9, 28, 9, 0))
        case = cases.start_case(None, "test_timers", "上传基准", {"team_user_ids": [inspector.id]})
        db.session.commit()
        set_clock(lambda: datetime(2026, 10, 9, 9, 0))
        run_due_timers()
        set_clock(None)
        task = db.session.scalar(select(Task).where(Task.case_id == case.id, Task.state == "ready"))
        forms = dict(case.definition.forms)
        forms[task.form_key]["properties"]["recording"] = {"type": "array", "items": {"type": "integer",
                                                                                     "format": "attachment"}}
        case.definition.forms = forms
        flag_modified(case.definition, "forms")
        db.session.commit()
        task_id = task.id
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": url, "FILES_DIR": str(folder / "files"),
           "SECRET_KEY": "bench-" + "x" * 40, "LOG_LEVEL": "WARNING", "WEB_CONCURRENCY": "1",
           "UPLOAD_MAX_BYTES": "8GB", "SESSION_COOKIE_SECURE": "false"}
    return env, task_id


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    """gunicorn with the production config, one process."""
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                               "app:create_app()"], env={**env, "BIND": f"127.0.0.1:{port}"}, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def worker_pids(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [master, *(int(p) for p in children.split())]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (from /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pids: list[int]) -> float:
    """Largest peak resident size (VmHWM) among the processes."""
    peak = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        peak = max(peak, int(match.group(1)) if match else 0)
    return peak / 1024


class Client:
    """A signed-in inspector speaking tus."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", "uploads-benchmark")]  # the session is bound to the user agent
        base = f"http://127.0.0.1:{port}"
        page = self.opener.open(f"{base}/login").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urlencode({"csrf_token": token, "username": "demo.inspector", "password": "demo-inspector-2026"})
        self.opener.open(Request(f"{base}/login", data=body.encode()))
        page = self.opener.open(f"{base}/account/password").read().decode()
        self.csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        return {"Cookie": cookie, "X-CSRFToken": self.csrf, "Tus-Resumable": "1.0.0", "User-Agent": "uploads-benchmark"}

    def create(self, task_id: int, length: int) -> str:
        meta = ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in
                        {"task_id": task_id, "field": "recording", "filename": "bench.mp4",
                         "filetype": "video/mp4"}.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("POST", "/uploads/", headers={**self.headers(), "Upload-Length": str(length),
                                                   "Upload-Metadata": meta})
        response = conn.getresponse()
        response.read()
        assert response.status == 201, response.status
        return response.getheader("Location").split(str(self.port), 1)[1]

    def offset(self, path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("HEAD", path, headers=self.headers())
        response = conn.getresponse()
        response.read()
        return int(response.getheader("Upload-Offset"))

    def patch(self, path: str, offset: int, length: int, cut_after: int | None = None) -> tuple[int, str | None]:
        """Send one chunk; with cut_after, drop the connection after that many bytes. → (new offset, attachment)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        conn.putrequest("PATCH", path)
        for name, value in {**self.headers(), "Upload-Offset": str(offset), "Content-Length": str(length),
                            "Content-Type": "application/offset+octet-stream"}.items():
            conn.putheader(name, value)
        conn.endheaders()
        sent = 0
        while sent < length:
            piece = data_piece(offset + sent, min(1024 * 1024, length - sent))
            if cut_after is not None and sent + len(piece) > cut_after:
                conn.send(piece[: cut_after - sent])
                conn.sock.shutdown(socket.SHUT_RDWR)
                conn.close()
                return -1, None
            conn.send(piece)
            sent += len(piece)
        response = conn.getresponse()
        response.read()
        assert response.status == 204, response.status
        return int(response.getheader("Upload-Offset")), response.getheader("Upload-Attachment-Id")


def main() -> None:
    """Upload in full, then again with a cut and a server restart at 50 %; print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL (the upload rows live there)")
    arguments = parser.parse_args()
    from benchmarks._setup import database, pg_available

    for kind in ["sqlite"] + (["postgresql"] if arguments.postgres and pg_available() else []):
        print(f"{kind}:")
        with database(kind) as url:
            run(url, arguments.size_mb * 1024 * 1024)


def run(url: str, size: int) -> None:
    """The full upload and the cut-and-resume on one database."""
    with tempfile.TemporaryDirectory() as folder:
        env, task_id = prepare(Path(folder), url)
        port = socket.socket()
        port.bind(("127.0.0.1", 0))
        number = port.getsockname()[1]
        port.close()
        server = start_server(env, number)
        try:
            client = Client(number)
            digest = hashlib.sha256()
            for start in range(0, size, 16 * 1024 * 1024):
                digest.update(data_piece(start, min(16 * 1024 * 1024, size - start)))
            expected = digest.hexdigest()

            baseline = peak_rss_mb(worker_pids(server.pid))
            path = client.create(task_id, size)
            pids = worker_pids(server.pid)
            server_cpu, client_cpu = cpu_seconds(pids), time.process_time()
            began, offset, attachment = time.perf_counter(), 0, None
            while offset < size:
                offset, attachment = client.patch(path, offset, min(CHUNK, size - offset))
            elapsed = time.perf_counter() - began
            server_cpu, client_cpu = cpu_seconds(pids) - server_cpu, time.process_time() - client_cpu
            rss = peak_rss_mb(worker_pids(server.pid))
            mb = size / 2**20
            print(f"  upload of {mb:.0f} MB in {CHUNK // 2**20} MB chunks: {elapsed:.1f} s wall, {mb / elapsed:.0f} "
                  f"MB/s; server CPU {server_cpu:.1f} s ({mb / max(server_cpu, 0.01):.0f} MB per CPU-second: the "
                  f"ceiling on an idle core), client CPU {client_cpu:.1f} s; peak server RSS {rss:.0f} MB (the app "
                  f"alone, signed in, before uploading: {baseline:.0f} MB; growth {rss - baseline:.0f} MB); "
                  f"attachment {attachment}")

            path = client.create(task_id, size)
            offset = 0
            while offset < size // 2:
                offset, _att = client.patch(path, offset, min(CHUNK, size // 2 - offset))
            client.patch(path, offset, min(CHUNK, size - offset), cut_after=CHUNK // 3)  # the connection drops
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
            server = start_server(env, number)  # and the server restarts: the running hash is gone
            client = Client(number)
            resumed_from = client.offset(path)
            sent_after, began = 0, time.perf_counter()
            offset = resumed_from
            while offset < size:
                length = min(CHUNK, size - offset)
                offset, attachment = client.patch(path, offset, length)
                sent_after += length
            elapsed = time.perf_counter() - began
            rss = peak_rss_mb(worker_pids(server.pid))
            print(f"  cut at 50 %: resumed from byte {resumed_from:,} ({resumed_from / size:.0%}); sent only "
                  f"{sent_after / 2**20:.0f} MB more in {elapsed:.1f} s (includes re-hashing the stored half after "
                  f"the restart); peak server RSS {rss:.0f} MB")
            from sqlalchemy import create_engine, text

            engine = create_engine(env["DATABASE_URL"])
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT sha256, size FROM attachment ORDER BY id")).all()
            ok = all(sha == expected and stored == size for sha, stored in rows) and len(rows) == 2
            print(f"  both attachments' SHA-256 match the data: {ok}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
