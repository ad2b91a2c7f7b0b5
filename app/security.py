"""Request and response hardening for every route: no server error from odd input, safe headers, safe downloads.

- `<int:…>` URL parts above a 32-bit id answer 404 (the database would otherwise overflow);
- NUL bytes and lone surrogates anywhere in the query, form or JSON body, and page numbers past any real page,
  answer 400 with a message instead of reaching the database;
- every response carries a Content-Security-Policy the pages satisfy (scripts only from /static, no inline
  script anywhere), X-Frame-Options, X-Content-Type-Options and a Referrer-Policy;
- downloads are attachments with a content type from an allow-list (an uploaded .html is never text/html).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
PAGE_ARGS = ("page", "per_page")

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # the diagram and chart libraries set style attributes from their scripts
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

SAFE_DOWNLOAD_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "text/csv",
    "application/zip", "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "audio/mpeg", "audio/mp4", "audio/wav", "audio/x-wav", "video/mp4",
})


class BadInput(BadRequest):
    """Input refused before any view: its description is a message for the person (shown on the error page)."""


def _refuse(message: str) -> None:
    raise BadInput(description=message)


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` that matches only ids a 32-bit integer column can hold (larger ones: 404, not a server error)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def safe_download_type(content_type: str | None) -> str:
    """The declared type when it is on the allow-list, else application/octet-stream."""
    base = (content_type or "").split(";")[0].strip().lower()
    return base if base in SAFE_DOWNLOAD_TYPES else "application/octet-stream"


def _bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_json(value: Any, depth: int = 0) -> bool:
    if depth > 50:
        return True
    if isinstance(value, str):
        return _bad_text(value)
    if isinstance(value, dict):
        return any(_bad_text(str(k)) or _bad_json(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_json(v, depth + 1) for v in value)
    return False


def check_input() -> None:
    """Refuse input no field may hold, before any view or database sees it."""
    values = [*request.args.keys(), *request.args.values(), request.path]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any(_bad_text(v) for v in values):
        _refuse(_("请求中含有不允许的字符（空字符或无效的 Unicode 字符）。"))
    if request.is_json and request.content_length:
        body = request.get_json(silent=True)
        if body is None:
            _refuse(_("请求正文不是有效的 JSON。"))
        if _bad_json(body):
            _refuse(_("请求中含有不允许的字符（空字符或无效的 Unicode 字符）。"))
    for name in PAGE_ARGS:
        raw = request.args.get(name)
        if raw is not None and raw.strip().lstrip("+-").isdigit() and not -MAX_PAGE <= int(raw) <= MAX_PAGE:
            _refuse(_("页码超出范围（最大 %(max)s）。", max=MAX_PAGE))


def add_headers(response: Response) -> Response:
    """Security headers on every response."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def init_app(app: Flask) -> None:
    """Install the converter (before any route is added), the input check and the headers."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(check_input)
    app.after_request(add_headers)
