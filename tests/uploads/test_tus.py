"""The tus endpoint: create, append in chunks, resume after a cut (even in a new process), finish into an attachment
with the right SHA-256; wrong offsets, oversize files and other people's uploads refused."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from app.auth.roles import Role
from app.clock import set_clock
from app.extensions import db
from app.uploads import services
from app.workflow.cli import run_due_timers
from app.workflow.models import Attachment, Task
from app.workflow.services import cases
from tests.conftest import sign_in, user_for
from tests.workflow.helpers import load_process

H = {"Tus-Resumable": "1.0.0"}


def _meta(**values: object) -> str:
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in values.items())


@pytest.fixture
def task(app):
    """A task named to the demo inspector whose form has a `recording` files field."""
    set_clock(lambda: datetime(2026, 9, 28, 9, 0))
    load_process("timers")
    case = cases.start_case(None, "test_timers", "录像上传", {"team_user_ids": [user_for(Role.INSPECTOR).id]})
    db.session.commit()
    set_clock(lambda: datetime(2026, 10, 9, 9, 0))
    run_due_timers()
    set_clock(None)
    row = db.session.scalar(select(Task).where(Task.case_id == case.id, Task.state == "ready"))
    forms = dict(case.definition.forms)
    forms[row.form_key]["properties"]["recording"] = {"type": "array", "title": "音像记录",
                                                      "items": {"type": "integer", "format": "attachment"}}
    case.definition.forms = forms
    flag_modified(case.definition, "forms")
    db.session.commit()
    return row.id


def _create(client, task_id, length, field="recording"):
    return client.post("/uploads/", headers={**H, "Upload-Length": str(length),
                                            "Upload-Metadata": _meta(task_id=task_id, field=field,
                                                                     filename="执法记录仪.mp4", filetype="video/mp4")})


def _patch(client, url, offset, data):
    return client.patch(url, data=data, headers={**H, "Upload-Offset": str(offset),
                                                 "Content-Type": "application/offset+octet-stream"})


def test_upload_resumes_after_a_cut_and_becomes_an_attachment(app, task):
    client = sign_in(app.test_client(), user_for(Role.INSPECTOR))
    data = os.urandom(3 * 1024 * 1024 + 123)
    assert client.options("/uploads/", headers=H).headers["Tus-Extension"] == "creation,termination"
    created = _create(client, task, len(data))
    assert created.status_code == 201
    url = created.headers["Location"].split("localhost", 1)[-1]
    first = _patch(client, url, 0, data[:1_500_000])
    assert first.status_code == 204 and first.headers["Upload-Offset"] == "1500000"
    services._HASHERS.clear()  # the connection is cut and the next chunk reaches a fresh process
    head = client.head(url, headers=H)
    assert head.headers["Upload-Offset"] == "1500000" and head.headers["Upload-Length"] == str(len(data))
    assert _patch(client, url, 1000, data[1000:2000]).status_code == 409  # wrong offset: nothing written
    done = _patch(client, url, 1_500_000, data[1_500_000:])
    assert done.status_code == 204 and done.headers["Upload-Offset"] == str(len(data))
    attachment = db.session.get(Attachment, int(done.headers["Upload-Attachment-Id"]))
    assert attachment.sha256 == hashlib.sha256(data).hexdigest() and attachment.size == len(data)
    assert attachment.filename == "执法记录仪.mp4" and attachment.task_id == task
    stored = Path(app.config["FILES_DIR"]) / "attachments" / attachment.storage_path
    assert stored.read_bytes() == data
    # The form takes the finished upload like any kept attachment.
    response = client.post(f"/tasks/{task}", data={"f.summary": "已整改", "f.recording.keep": str(attachment.id)})
    assert response.status_code == 302
    assert db.session.get(Task, task).state == "completed"


def test_limits_owner_and_termination(app, task):
    inspector = sign_in(app.test_client(), user_for(Role.INSPECTOR))
    too_big = _create(inspector, task, app.config["UPLOAD_MAX_BYTES"] + 1)
    assert too_big.status_code == 413 and "上限" in too_big.get_data(as_text=True)
    assert _create(inspector, task, 10, field="summary").status_code == 400
    assert _create(sign_in(app.test_client(), user_for(Role.EXPERT)), task, 10).status_code == 403
    created = _create(inspector, task, 10)
    url = created.headers["Location"].split("localhost", 1)[-1]
    assert sign_in(app.test_client(), user_for(Role.LEGAL)).head(url, headers=H).status_code == 404
    assert inspector.patch(url, data=b"x", headers={**H, "Upload-Offset": "0"}).status_code == 415
    assert _patch(inspector, url, 0, b"12345").status_code == 204
    assert inspector.delete(url, headers=H).status_code == 204
    assert inspector.head(url, headers=H).status_code == 404
    assert not any((Path(app.config["FILES_DIR"]) / "uploads").glob("*.part"))
