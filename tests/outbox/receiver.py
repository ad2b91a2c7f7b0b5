"""A real HTTP receiver on 127.0.0.1 for the outbox tests and benchmark: it checks each signature, then at random
fails (500), stalls beyond the client's timeout (and then answers 200, as a platform that processed the event but
answered too late), answers slowly, or succeeds; it records every arrival and every 2xx it gave."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.outbox.services.delivery import EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


@dataclass
class Behaviour:
    """Chances of each answer, and the pauses (seconds)."""

    fail: float = 0.0
    stall: float = 0.0
    slow: float = 0.0
    stall_seconds: float = 0.6
    slow_seconds: float = 0.05
    seed: int = 2026


@dataclass
class Record:
    """What the receiver saw: arrivals in order (id, item, seq), 2xx answers, refused signatures."""

    arrivals: list[tuple[str, str, int]] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def first_arrival_order(self) -> dict[str, list[int]]:
        """Per item, the seq numbers in the order their ids first arrived."""
        seen: set[str] = set()
        order: dict[str, list[int]] = {}
        for event_id, item, seq in self.arrivals:
            if event_id not in seen:
                seen.add(event_id)
                order.setdefault(item, []).append(seq)
        return order


class Receiver:
    """Start with `with Receiver(secret, behaviour) as r:`; `r.url` is the address to POST to."""

    def __init__(self, secret: str, behaviour: Behaviour | None = None) -> None:
        self.secret = secret
        self.behaviour = behaviour or Behaviour()
        self.record = Record()
        self._rand = random.Random(self.behaviour.seed)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.handle(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        """Check the signature, record the arrival, then answer as the dice say."""
        headers = handler.headers
        if not verify(self.secret, headers.get(TIMESTAMP_HEADER, ""), body, headers.get(SIGNATURE_HEADER, "")):
            with self.record.lock:
                self.record.bad_signatures += 1
            self._answer(handler, 401)
            return
        document = json.loads(body)
        assert headers.get(EVENT_HEADER) == document["id"]
        with self.record.lock:
            self.record.arrivals.append((document["id"], document["item_key"], document["seq"]))
            dice = self._rand.random()
        b = self.behaviour
        if dice < b.fail:
            self._answer(handler, 500)
            return
        if dice < b.fail + b.stall:
            time.sleep(b.stall_seconds)
        elif dice < b.fail + b.stall + b.slow:
            time.sleep(b.slow_seconds)
        with self.record.lock:
            self.record.acked.append(document["id"])
        self._answer(handler, 200)

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int) -> None:
        payload = b'{"ok":true}' if status == 200 else b'{"ok":false}'
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:  # the client gave up waiting (the stall case)
            pass

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
