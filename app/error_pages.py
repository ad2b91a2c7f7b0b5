"""Friendly error pages (Chinese by default) and domain-error mapping."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db


def init_app(app: Flask) -> None:
    """Register handlers for 400/403/404/405/413/500 and CSRF failures."""

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/error.html", code=400, kind="csrf"), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int]:
        db.session.rollback()
        code = exc.code or 500
        kind = code if code in (400, 403, 404, 405, 413) else 500
        return render_template("errors/error.html", code=code, kind=kind), code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=exc)
        return render_template("errors/error.html", code=500, kind=500), 500
