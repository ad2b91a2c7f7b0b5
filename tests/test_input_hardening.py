"""Issue 17: no server error from input, tokens checked by scheme, CSRF never bypassed by a header,
security headers on every page, downloads that cannot run as pages, a clear error for a UTF-16 diagram."""

import io

import pytest

from app.auth import tokens
from app.auth.roles import Role
from app.extensions import db
from app.workflow.cli import validate
from tests.conftest import user_for
from tests.directories.helpers import code


def _token(role):
    token, _record = tokens.create_token(user_for(role), "test")
    db.session.commit()
    return token


@pytest.mark.parametrize("path", ["/tasks/2147483648", "/cases/99999999999999999999", "/attachments/2147483648",
                                  "/directories/objects/4294967296"])
def test_ids_beyond_32_bits_are_not_found(as_role, path):
    assert as_role(Role.ADMIN).get(path).status_code == 404


def test_api_ids_beyond_32_bits_are_not_found_as_json(client):
    response = client.get("/api/v1/objects/2147483648", headers={"Authorization": f"Bearer {_token(Role.LEGAL)}"})
    assert response.status_code == 404 and response.get_json()["code"] == 404


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=-99999999999", "per_page=10000000000"])
def test_huge_page_numbers_are_refused_with_a_message(as_role, query):
    response = as_role(Role.ADMIN).get(f"/audit/?{query}")
    assert response.status_code == 400 and "页码超出范围" in response.get_data(as_text=True)


def test_api_page_beyond_the_last_possible_one_is_refused(client):
    response = client.get("/api/v1/objects?page=1000000", headers={"Authorization": f"Bearer {_token(Role.LEGAL)}"})
    assert response.status_code in (400, 422)


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1"])
def test_nul_bytes_in_queries_are_refused(as_role, query):
    response = as_role(Role.SUPERVISION).get(f"/directories/objects?{query}")
    assert response.status_code == 400 and "不允许的字符" in response.get_data(as_text=True)


@pytest.mark.parametrize("body", ['{"name": "\\ud800", "credit_code": "x", "unit_type": "agency"}',
                                  '{"name": "a\\u0000b", "credit_code": "x", "unit_type": "agency"}',
                                  '{"name": '])
def test_bad_json_is_refused_with_a_message(client, body):
    response = client.post("/api/v1/objects", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {_token(Role.SUPERVISION)}"})
    assert response.status_code == 400 and response.get_json()["message"]


def test_a_form_field_with_nul_is_refused(as_role):
    response = as_role(Role.LEGAL).post("/cases/new", data={"process_id": "x", "subject": "a\x00b"})
    assert response.status_code == 400


def test_bearer_tokens_are_checked_by_scheme(client):
    token = _token(Role.LEGAL)
    assert client.get("/api/v1/objects", headers={"Authorization": f"bearer {token}"}).status_code == 200
    assert client.get("/api/v1/objects", headers={"Authorization": f"Token {token}"}).status_code == 401
    assert client.get("/api/v1/objects", headers={"Authorization": f"Basic {token}"}).status_code == 401


def test_no_authorization_header_replaces_the_csrf_token_of_a_session(app, as_role):
    client = as_role(Role.SUPERVISION)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for header in ("Basic Zm9vOmJhcg==", "Bearer", "Bearer not-a-token", "anything"):
            response = client.post("/api/v1/objects", headers={"Authorization": header},
                                   json={"name": "跨站单位", "credit_code": code(760), "unit_type": "agency"})
            assert response.status_code == 400 and "CSRF" in response.get_json()["message"], header
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_security_headers_on_pages(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    page = response.get_data(as_text=True)
    assert "<script>" not in page and " style=" not in page  # nothing inline the policy would block


def test_an_uploaded_html_file_is_never_served_as_a_page(app, as_role):
    from sqlalchemy import select

    from app.workflow.models import Task
    from app.workflow.services import attachments, cases
    from tests.workflow.helpers import load_process

    load_process("engine")
    case = cases.start_case(user_for(Role.LEGAL), "test_approval", "下载测试", {"rounds": 0})
    task = db.session.scalar(select(Task).where(Task.case_id == case.id))
    record = attachments.store(__import__("pathlib").Path(app.instance_path) / "attachments",
                               actor=user_for(Role.LEGAL), case_id=case.id, task_id=task.id, field="evidence",
                               filename="x.html", content_type="text/html",
                               stream=io.BytesIO(b"<script>alert(1)</script>"))
    db.session.commit()
    record_id = record.id
    response = as_role(Role.AUDITOR).get(f"/attachments/{record_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_utf16_diagram_gets_a_clear_error(tmp_path, app):
    path = tmp_path / "utf16.bpmn"
    path.write_bytes('<?xml version="1.0" encoding="UTF-16"?><definitions/>'.encode("utf-16"))
    result = app.test_cli_runner().invoke(validate, [str(path)])
    assert result.exit_code == 1
    assert "UTF-16" in result.output and "UTF-8" in result.output and "Traceback" not in result.output


def test_api_times_carry_their_offset():
    from datetime import datetime

    from app.api.web import UtcDateTime

    assert UtcDateTime()._serialize(datetime(2026, 1, 2, 3, 4, 5), "x", None).endswith("+00:00")
