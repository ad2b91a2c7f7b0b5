"""The REST API: OpenAPI document, token or session authentication, the UI's permissions, pagination."""

import pytest

from app import create_app
from app.auth import tokens
from app.auth.roles import Role
from app.extensions import db
from tests.conftest import TEST_CONFIG, sign_in, user_for
from tests.directories.helpers import code


def _token(role):
    token, _record = tokens.create_token(user_for(role), "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_openapi_document_describes_every_list(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/objects", "/api/v1/officers", "/api/v1/experts", "/api/v1/conflicts", "/api/v1/tiers",
            "/api/v1/inspection-items", "/api/v1/enforcement-items"} <= set(spec["paths"])


def test_anonymous_and_bad_tokens_get_401(client):
    assert client.get("/api/v1/objects").status_code == 401
    assert client.get("/api/v1/objects", headers={"Authorization": "Bearer aet_nope"}).status_code == 401


def test_token_lists_with_pagination(client):
    headers = _token(Role.SUPERVISION)
    for n in range(3):
        client.post("/api/v1/objects", headers=headers, json={"name": f"接口单位{n}", "credit_code": code(700 + n),
                                                              "unit_type": "agency"})
    page = client.get("/api/v1/objects?q=接口单位&per_page=2&page=2", headers=headers).get_json()
    assert page["total"] == 3 and len(page["items"]) == 1 and page["page"] == 2
    assert page["items"][0]["credit_code"] == code(702)


def test_create_permissions_and_validation_match_the_ui(client):
    legal = _token(Role.LEGAL)
    refused = client.post("/api/v1/objects", headers=legal, json={"name": "x", "credit_code": code(710),
                                                                   "unit_type": "agency"})
    assert refused.status_code == 403
    supervision = _token(Role.SUPERVISION)
    invalid = client.post("/api/v1/objects", headers=supervision, json={"name": "x", "credit_code": "123",
                                                                         "unit_type": "agency"})
    assert invalid.status_code == 422 and "18 位" in invalid.get_json()["errors"]["credit_code"][0]
    created = client.post("/api/v1/objects", headers=supervision, json={"name": "接口新单位", "credit_code": code(711),
                                                                         "unit_type": "机关"})
    assert created.status_code == 201 and created.get_json()["unit_type"] == "agency"
    record_id = created.get_json()["id"]
    updated = client.put(f"/api/v1/objects/{record_id}", headers=supervision,
                         json={"name": "接口改名", "credit_code": code(711), "unit_type": "agency"})
    assert updated.status_code == 200 and updated.get_json()["name"] == "接口改名"
    assert client.get("/api/v1/objects/999999", headers=supervision).status_code == 404


def test_revoked_token_stops_working(client):
    token, record = tokens.create_token(user_for(Role.AUDITOR), "short-lived")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tiers", headers=headers).status_code == 200
    tokens.revoke_token(user_for(Role.AUDITOR), record.id)
    db.session.commit()
    assert client.get("/api/v1/tiers", headers=headers).status_code == 401


def test_tokens_never_open_html_pages(client):
    assert client.get("/directories/", headers=_token(Role.LEGAL)).status_code == 302


@pytest.fixture
def csrf_client(database_url):
    return create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True, "DATABASE_URL": database_url}).test_client()


def test_session_writes_need_csrf(csrf_client):
    sign_in(csrf_client, user_for(Role.SUPERVISION))
    response = csrf_client.post("/api/v1/objects", json={"name": "x", "credit_code": code(720), "unit_type": "agency"})
    assert response.status_code == 400 and "CSRF" in response.get_json()["message"]
    assert csrf_client.get("/api/v1/objects").status_code == 200


def test_token_page_shows_a_new_token_once(as_role):
    client = as_role(Role.LEGAL)
    page = client.post("/account/tokens", data={"name": "与市公示平台对接"}).get_data(as_text=True)
    assert 'data-testid="new-token"' in page and "aet_" in page
    assert 'data-testid="new-token"' not in client.get("/account/tokens").get_data(as_text=True)
