"""Test fixtures: one app per session on a real database; each test inside a transaction rolled back at the end.

SQLite (a temporary file) by default; PostgreSQL when TEST_DATABASE_URL is set — a scratch database
is created for the run and dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlalchemy import select
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.clock import utcnow
from app.demo.services import CITY_BUREAU_ID, DEMO_ACCOUNTS, seed_demo
from app.extensions import db

TEST_PASSWORD = "test-password-2026"


_RUN_INSTANCE: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    """An instance folder of this test process's own: the SQLite run, the PostgreSQL run, the browser run and each
    pytest-xdist worker may run at the same time, so none of them may share the checkout's `instance/` (case-file
    folders named by database id, the case-file PDF cache, the LibreOffice profiles, attachments, uploads, import
    previews, audit checkpoints). Every app the process builds uses it, and so does every `flask`/gunicorn
    subprocess a test starts (they inherit FILES_DIR and AUDIT_ANCHOR_DIR from the environment)."""
    if _RUN_INSTANCE:
        return
    folder = Path(tempfile.mkdtemp(prefix="archives-test-instance-"))
    _RUN_INSTANCE.append(folder)
    Flask.auto_find_instance_path = lambda self: str(folder)  # type: ignore[method-assign]
    os.environ["FILES_DIR"] = str(folder)
    os.environ["AUDIT_ANCHOR_DIR"] = str(folder / "audit-anchors")


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _RUN_INSTANCE:
        shutil.rmtree(folder, ignore_errors=True)


# The longest files (subprocesses, LibreOffice, whole procedures in a browser) start first: pytest-xdist hands out
# whole files in this order, so none of them is left running alone at the end of a run (`make test`).
SLOW_FILES = (
    "tests/operations/test_backup.py", "tests/operations/test_running.py", "tests/draws/test_draw_web.py",
    "tests/documents/test_rendered.py", "tests/test_access_matrix.py", "tests/bureaus/test_migration.py",
    "tests/modeler/test_form_editor.py", "tests/test_api_fuzz.py", "tests/casefile/test_casefile.py",
    "tests/e2e/test_case_view_browser.py", "tests/e2e/test_case_browser.py",
    "tests/e2e/test_decision_publish_browser.py", "tests/e2e/test_bureaus_browser.py",
    "tests/e2e/test_inspection_browser.py", "tests/e2e/test_operations_browser.py", "tests/e2e/test_modeler_browser.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that commit for real (the PostgreSQL concurrency tests) run last, after every rolled-back test; before
    them, the slowest files first (SLOW_FILES)."""
    def key(item: pytest.Item) -> tuple[bool, int]:
        path = item.nodeid.split("::")[0]
        slow = SLOW_FILES.index(path) if path in SLOW_FILES else len(SLOW_FILES)
        return item.get_closest_marker("postgres_only") is not None, slow

    items.sort(key=key)


def declare_calendar_year(year: int) -> None:
    """Make the calendar know `year` (the chinese-calendar package stops at its last published year) the official
    way: the administrator imports its schedule (here its National Day week), so the year counts as covered."""
    from app.calendar import yearly

    admin = db.session.scalar(select(User).where(User.username == next(
        a.username for a in DEMO_ACCOUNTS if a.role == Role.ADMIN)))
    yearly.import_schedule(admin, year, f"休,{year}-10-01,{year}-10-07,国庆节（测试数据）\n", "测试数据")
    db.session.flush()


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


APP_ROLE = "archives_app"


def _run_as_app_role() -> None:
    """As in production, the app runs as a role that is neither superuser nor owner (audit: SELECT/INSERT only).

    The migrations ran as the owner; from here every connection switches to the app role (SET ROLE), so each
    statement of the suite has exactly the app's privileges. Tests that play a DBA step out with RESET ROLE.
    """
    import fcntl

    from sqlalchemy import event, text

    from app.audit.services import app_role_statements

    # The role belongs to the whole server: test processes running side by side (xdist workers, each on its own
    # scratch database) would otherwise create and ALTER it at once ("tuple concurrently updated").
    with open(Path(tempfile.gettempdir()) / "archives-test-app-role.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for statement in app_role_statements(APP_ROLE, db.engine.url.database or ""):
            db.session.execute(text(statement))
        db.session.commit()
    db.session.remove()
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _set_role(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {APP_ROLE}")
        dbapi_connection.commit()


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The app, its schema built by the real migrations, and one committed user per role."""
    from flask_migrate import upgrade

    application = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    with application.app_context():
        upgrade()
        seed_demo(Path(application.instance_path) / "attachments")
        with context.use(context.for_bureau(CITY_BUREAU_ID)):  # the city's calendar; its counties inherit it
            declare_calendar_year(utcnow().year + 1)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            _run_as_app_role()
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


@pytest.fixture(autouse=True)
def verify_new_draws_standalone(request: pytest.FixtureRequest, db_session: Any) -> Iterator[None]:
    """Every draw a test performs (or fails) is checked by the stand-alone verifier tools/verify_draw.py in a
    fresh, isolated interpreter, from its downloadable verification package, before the test's rollback."""
    from sqlalchemy import func, select

    from app.draws.models import Draw
    from app.draws.services import package

    if any(request.node.get_closest_marker(m) for m in ("browser", "edited_draws", "postgres_only")):
        yield  # browsers use their own server; tampering is on purpose; committing tests use real connections
        return
    app = request.getfixturevalue("app")
    first = db.session.scalar(select(func.max(Draw.id))) or 0
    yield
    try:
        new = list(db.session.scalars(select(Draw).where(Draw.id > first).order_by(Draw.id)))
    except Exception:  # noqa: BLE001 — a test that left its session broken made no draw to check
        return
    packages = [package.build(d, app.config["AGENCY_NAME"]) for d in new if package.has_package(d)]
    if packages:
        from tests.draws.standalone import run_verifier

        done = run_verifier(packages)
        assert done.returncode == 0, done.stdout + done.stderr


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
        sess["_sv"] = user.session_version
    return client


@pytest.fixture
def as_role(app: Flask) -> Any:
    """as_role(Role.X) → a fresh client signed in as that role's demo user."""

    def make(role: Role) -> FlaskClient:
        return sign_in(app.test_client(), user_for(role))

    return make
