"""Application factory of the archives law-enforcement case-management platform."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from app.config import load_config
from app.extensions import babel, csrf, db, login_manager, migrate


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration validated from the environment, extensions bound, blueprints registered."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_config(instance_path=app.instance_path, overrides=test_config))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # JSON answers keep Chinese readable
    from app.clock import set_business_timezone

    set_business_timezone(app.config["TIMEZONE"])
    from app.workflow.services import sandbox

    sandbox.configure(app.config["SCRIPT_TIME_LIMIT"], app.config["SCRIPT_MEMORY_MB"])

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Short OLTP queries: the JIT compiler costs more than it saves (measured on the inbox query).
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        options.setdefault("connect_args", {}).setdefault("options", "-c jit=off")
    db.init_app(app)
    from app.bureaus import scoping

    scoping.install()  # every session filters bureau-owned rows by the current bureau context
    _tune_sqlite(app)
    from app.disclosure.models import include_in_autogenerate

    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True, include_object=include_in_autogenerate)

    from app import access, error_pages, i18n, navigation, security
    from app.auth import web as auth_web
    from app.operations import logs

    logs.configure(app)

    security.init_app(app)  # before any route: ids beyond 32 bits never match; odd input refused first
    # Access is checked before CSRF, so an anonymous POST is sent to the login page, not told "bad token".
    app.before_request(access.enforce_access)
    from app.bureaus import web as bureaus_web

    bureaus_web.init_app(app)  # the bureau context of each request, right after its access check
    csrf.init_app(app)
    login_manager.init_app(app)
    auth_web.configure_login_manager(login_manager)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    error_pages.init_app(app)
    navigation.init_app(app)

    from app.api import web as api_web
    from app.audit import cli as audit_cli
    from app.audit import web as audit_web
    from app.auth import admin_web
    from app.auth import cli as auth_cli
    from app.calendar import web as calendar_web
    from app.casefile import cli as casefile_cli
    from app.casefile import web as casefile_web
    from app.demo import cli as demo_cli
    from app.directories import web as directories_web
    from app.disclosure import portal_web as disclosure_portal_web
    from app.disclosure import web as disclosure_web
    from app.disclosure.services import drafts as disclosure_drafts
    from app.documents import admin_web as bureau_web
    from app.documents import web as documents_web
    from app.draws import cli as draws_cli
    from app.draws import web as draws_web
    from app.home import web as home_web
    from app.modeler import cli as modeler_cli  # noqa: F401 - adds `process layout` to the process group
    from app.modeler import (
        decisions_web,
        drafts_web,
        editor_web,
        form_editor_web,
        import_web,
        migration_cli,
        versions_web,
    )
    from app.modeler import web as modeler_web
    from app.notifications import cli as notifications_cli
    from app.notifications import web as notifications_web
    from app.operations import cli as operations_cli
    from app.operations import web as operations_web
    from app.outbox import cli as outbox_cli
    from app.outbox import web as outbox_web
    from app.takeover import web as takeover_web
    from app.uploads import web as uploads_web
    from app.workflow import case_web as workflow_case_web
    from app.workflow import cli as workflow_cli
    from app.workflow import definitions_web
    from app.workflow import web as workflow_web

    app.register_blueprint(home_web.bp)
    app.register_blueprint(auth_web.bp)
    app.register_blueprint(admin_web.bp)
    app.register_blueprint(audit_web.bp)
    app.register_blueprint(workflow_web.bp)
    app.register_blueprint(workflow_case_web.bp)
    app.register_blueprint(casefile_web.bp)
    app.register_blueprint(definitions_web.bp)
    app.register_blueprint(modeler_web.bp)
    app.register_blueprint(drafts_web.bp)
    app.register_blueprint(decisions_web.bp)
    app.register_blueprint(form_editor_web.bp)
    app.register_blueprint(import_web.bp)
    app.register_blueprint(calendar_web.bp)
    calendar_web.init_app(app)
    app.register_blueprint(directories_web.bp)
    app.register_blueprint(draws_web.bp)
    app.register_blueprint(draws_web.public_bp)
    app.register_blueprint(disclosure_web.bp)
    app.register_blueprint(disclosure_portal_web.bp)
    disclosure_drafts.install()  # a change of the officer directory opens the pending update of the public list
    app.register_blueprint(documents_web.bp)
    app.register_blueprint(bureaus_web.bp)
    from app.bureaus import oversight_web

    app.register_blueprint(oversight_web.bp)
    app.register_blueprint(versions_web.bp)
    app.register_blueprint(editor_web.bp)
    app.register_blueprint(bureau_web.bp)
    app.register_blueprint(operations_web.bp)
    app.register_blueprint(takeover_web.bp)
    app.register_blueprint(uploads_web.bp)
    uploads_web.init_app(app)
    app.register_blueprint(notifications_web.bp)
    from app.recording import web as recording_web
    from app.statistics import web as statistics_web

    app.register_blueprint(statistics_web.bp)
    app.register_blueprint(recording_web.bp)
    app.register_blueprint(recording_web.public_bp)
    notifications_web.init_app(app)
    app.cli.add_command(notifications_cli.notifications_cli)
    app.register_blueprint(outbox_web.bp)
    app.register_blueprint(outbox_web.public_bp)
    app.cli.add_command(outbox_cli.outbox_cli)
    documents_web.configure(app)
    app.cli.add_command(draws_cli.draw_cli)
    api_web.init_app(app)
    login_manager.request_loader(api_web.load_token_user)
    app.cli.add_command(workflow_cli.process_cli)
    app.cli.add_command(operations_cli.worker)
    app.cli.add_command(operations_cli.backup_cli)
    app.cli.add_command(audit_cli.audit_cli)
    app.cli.add_command(casefile_cli.casefile_cli)
    from app.statistics import cli as statistics_cli

    app.cli.add_command(statistics_cli.statistics_cli)
    app.cli.add_command(auth_cli.user_cli)
    app.cli.add_command(demo_cli.demo_cli)
    from app.bureaus import cli as bureaus_cli

    app.cli.add_command(bureaus_cli.bureau_cli)
    app.cli.add_command(migration_cli.case_cli)
    app.cli.add_command(demo_cli.seed, "seed-demo")

    @app.teardown_request
    def _rollback_uncommitted(exc: BaseException | None) -> None:
        # One commit point per request: anything not committed explicitly is rolled back.
        if exc is not None:
            db.session.rollback()

    return app


def _tune_sqlite(app: Flask) -> None:
    """SQLite: foreign keys on, WAL, a busy timeout, and transactions SQLAlchemy controls (for savepoints)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")
