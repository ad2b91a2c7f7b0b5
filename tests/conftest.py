"""Test fixtures: one app per session on a real database; each test inside a transaction rolled back at the end.

SQLite (a temporary file) by default; PostgreSQL when TEST_DATABASE_URL is set — a scratch database
is created for the run and dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.demo.services import CITY_BUREAU_ID, DEMO_ACCOUNTS, seed_demo
from app.extensions import db

TEST_PASSWORD = "test-password-2026"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that commit for real (the PostgreSQL concurrency tests) run last, after every rolled-back test."""
    items.sort(key=lambda item: item.get_closest_marker("postgres_only") is not None)


def _scratch_postgres(url: str) -> tuple[str, str]:
    """Create a fresh database next to the one in `url`; return (its url, admin url)."""
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = f"archives_test_{secrets.token_hex(4)}"
    admin_url = urlunsplit(parts)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), admin_url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database for this run (created empty)."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url, admin_url = _scratch_postgres(pg)
    yield url
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TEST_CONFIG = {
    "APP_ENV": "testing",
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "WTF_CSRF_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "LOGIN_SLOWDOWN_SECONDS": 0,
}


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The app, its schema built by the real migrations, and one committed user per role."""
    from flask_migrate import upgrade

    application = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    with application.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def db_session(app: Flask) -> Iterator[Any]:
    """Every test runs in a transaction that is rolled back; commits inside become savepoint releases.

    No app context stays pushed during the test: each request gets its own, as in production
    (a shared one would carry `g` — the signed-in user, the locale — from one request to the next).
    """
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    # Tests call services directly, as the city bureau's CLI would: explicitly in its bureau context.
    scope_token = context.set_scope(context.for_bureau(CITY_BUREAU_ID))
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        context.reset(scope_token)
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (no one signed in)."""
    return app.test_client()


def user_for(role: Role) -> User:
    """The committed demo user holding this role."""
    account = next(a for a in DEMO_ACCOUNTS if a.role == role)
    user = db.session.scalar(db.select(User).where(User.username == account.username))
    assert user is not None
    return user


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    """Put the user in the client's session as Flask-Login would (no password hashing per request)."""
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
        sess["_id"] = identifier
    return client


@pytest.fixture
def as_role(app: Flask) -> Any:
    """as_role(Role.X) → a fresh client signed in as that role's demo user."""

    def make(role: Role) -> FlaskClient:
        return sign_in(app.test_client(), user_for(role))

    return make
