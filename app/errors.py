"""Domain errors: raised by services, mapped to responses by the web layer.

Messages are Chinese msgids marked with `N_` so Babel extracts them; the web layer
translates them with the user's locale. Services never raise HTTP errors.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it here."""
    return message


class DomainError(Exception):
    """A request the domain refuses, with a translatable message."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    """The object does not exist."""


class PermissionDenied(DomainError):
    """The user may not do this."""


class Conflict(DomainError):
    """Someone else changed the object first, or it is in the wrong state."""


class ValidationFailed(DomainError):
    """Input is invalid; `errors` maps field name → list of messages."""

    def __init__(self, errors: dict[str, list[str]], message: str = N_("提交的内容有误，请检查标出的字段。")) -> None:
        super().__init__(message)
        self.errors = errors
