"""Friendly error pages (Chinese by default) and domain-error mapping."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.security import BadInput


def init_app(app: Flask) -> None:
    """Register handlers for 400/403/404/405/413/500 and CSRF failures."""

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError) -> Any:
        db.session.rollback()
        if request.path.startswith("/api/"):
            return jsonify({"code": 400, "message": "CSRF token missing or invalid (or use a bearer token)"}), 400
        return render_template("errors/error.html", code=400, kind="csrf"), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        db.session.rollback()
        code = exc.code or 500
        if request.path.startswith("/api/"):
            messages_by_code = {401: _("请先登录。"), 403: _("无权访问"), 404: _("页面不存在")}
            body: dict[str, Any] = {"code": code, "message": messages_by_code.get(code) or
                                    (exc.description if code < 500 else _("服务器出错了"))}
            messages = (getattr(exc, "data", None) or {}).get("messages")  # webargs/marshmallow field errors
            if messages:
                body["errors"] = messages
            return jsonify(body), code
        kind = code if code in (400, 403, 404, 405, 413) else 500
        detail = exc.description if isinstance(exc, BadInput) else None
        return render_template("errors/error.html", code=code, kind=kind, detail=detail), code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=exc)
        if request.path.startswith("/api/"):
            return jsonify({"code": 500, "message": "server error"}), 500
        return render_template("errors/error.html", code=500, kind=500), 500
