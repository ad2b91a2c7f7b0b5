"""Small helpers shared by the web layer of every feature."""

from __future__ import annotations

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


def client_ip() -> str | None:
    """The caller's address as seen by the server (behind a proxy, configure ProxyFix)."""
    return request.remote_addr
