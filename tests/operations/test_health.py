"""/healthz reads the workers' heartbeats; every response carries a request id; logs can be JSON lines."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from app.clock import set_clock
from app.extensions import db
from app.operations import services
from app.operations.logs import JsonFormatter


def test_health_says_missing_then_ok_then_stale(client):
    assert client.get("/healthz").get_json()["worker"] == "missing"
    services.beat("host:1", interval=30)
    db.session.commit()
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"
    later = datetime.utcnow() + timedelta(seconds=2 * 30 + services.GRACE_SECONDS + 5)
    set_clock(lambda: later)
    try:
        answer = client.get("/healthz")
    finally:
        set_clock(None)
    assert answer.status_code == 503 and answer.get_json()["worker"] == "stale"


def test_request_id_is_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()


def test_json_formatter_writes_one_object_with_extras():
    record = logging.LogRecord("archives.access", logging.INFO, __file__, 1, "GET %s", ("/tasks",), None)
    record.status, record.request_id = 200, "r1"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /tasks" and entry["status"] == 200 and entry["request_id"] == "r1"
