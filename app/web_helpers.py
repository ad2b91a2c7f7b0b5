"""Small helpers shared by the web layer of every feature."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, request
from flask_babel import gettext
from wtforms import Form

from app.errors import DomainError, ValidationFailed


def translate(error: DomainError) -> str:
    """The domain error's message in the user's language."""
    return gettext(error.message, **error.params)


def show_domain_error(error: DomainError, form: Form | None = None) -> None:
    """Flash the message; attach field errors to the form's fields where they exist."""
    if isinstance(error, ValidationFailed) and form is not None:
        for field_name, messages in error.errors.items():
            field: Any = getattr(form, field_name, None)
            texts = [gettext(message) for message in messages]
            if field is None:
                for text in texts:
                    flash(text, "danger")
            else:  # WTForms keeps errors in a tuple until validation; replace it with a list we can extend
                field.errors = [*field.errors, *texts]
    flash(translate(error), "danger")


def field_errors(error: DomainError) -> dict[str, list[str]]:
    """A validation error's messages per field, in the user's language (empty for other domain errors)."""
    if not isinstance(error, ValidationFailed):
        return {}
    return {field: [gettext(message) for message in messages] for field, messages in error.errors.items()}


def parse_day(raw: str, name: str, errors: dict[str, str]) -> date | None:
    """A date typed as 2026-11-22 (None when empty); a wrong one is noted in `errors` under its field name."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = gettext("日期格式应为 2026-11-22。")
        return None


def client_ip() -> str | None:
    """The caller's address as seen by the server (behind a proxy, configure ProxyFix)."""
    return request.remote_addr
