"""Language selection: the user's choice in the session, else the configured default (Chinese)."""

from __future__ import annotations

import json

from flask import Flask, current_app, session

SUPPORTED_LOCALES = ("zh_CN", "en")


def select_locale() -> str:
    """Flask-Babel locale selector."""
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return str(chosen)
    return str(current_app.config["DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    """Expose the current locale and the readable-JSON filter to templates."""

    @app.template_filter("json_text")
    def _json_text(value: object) -> str:
        # Readable JSON for people (Chinese stays Chinese); Jinja escapes it for HTML.
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)

    @app.template_filter("local")
    def _local(value: object, fmt: str = "%Y-%m-%d %H:%M") -> str:
        # Times are stored in UTC; people read them in the bureau's timezone.
        from datetime import datetime

        from app.clock import to_local

        return to_local(value).strftime(fmt) if isinstance(value, datetime) else ""

    @app.template_filter("money")
    def _money(value: object) -> str:
        # Money as clerks write it: ¥150,000.00.
        try:
            return f"¥{float(value):,.2f}"  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(value)

    @app.template_filter("filesize")
    def _filesize(value: object) -> str:
        # 1,234 bytes → 1.2 KB.
        size = float(value or 0)  # type: ignore[arg-type]
        for unit in ("B", "KB", "MB", "GB"):
            if size < 1024 or unit == "GB":
                return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            size /= 1024
        return str(value)

    @app.context_processor
    def _locale_context() -> dict[str, object]:
        return {"current_locale": select_locale(), "supported_locales": SUPPORTED_LOCALES}
