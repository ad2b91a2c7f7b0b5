"""CSRF on every form; error pages in Chinese."""

import pytest
from flask import Flask

from app import create_app
from tests.conftest import TEST_CONFIG


@pytest.fixture
def csrf_app(database_url) -> Flask:
    return create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True, "DATABASE_URL": database_url})


def test_post_without_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "demo.legal", "password": "demo-legal-2026"})
    assert response.status_code == 400
    assert "安全令牌无效" in response.get_data(as_text=True)


def test_login_form_carries_a_token_and_accepts_it(csrf_app):
    import re

    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "demo.legal", "password": "demo-legal-2026",
                                           "csrf_token": token})
    assert response.status_code == 302


def test_404_page_is_friendly_chinese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_english_is_selectable(client):
    client.post("/lang/en", data={"next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and '<html lang="en">' in page
    client.post("/lang/zh_CN", data={"next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_500_page_is_friendly_and_rolls_back(database_url):
    from app.access import public

    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})

    @public
    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", "broken", broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert "服务器出错了" in response.get_data(as_text=True) and "boom" not in response.get_data(as_text=True)
