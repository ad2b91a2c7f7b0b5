"""Configuration read from the environment and validated at start-up.

Every setting has one place: here. `load_config` returns a plain dict for `app.config`
and raises `ConfigError` naming the variable when a value is missing or malformed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """A setting from the environment is missing or invalid."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its key, parser, default and documentation."""

    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true/false")


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if not 0 < number <= 600:
        raise ValueError("must be a number of seconds between 0 and 600")
    return number


def _anchor_key(value: str) -> str:
    if len(value) < 32:
        raise ValueError("use 32 characters or more")
    return value


def _database_url(value: str) -> str:
    if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        raise ValueError("only sqlite:/// and postgresql:// URLs are supported")
    if value.startswith("postgresql://"):  # psycopg 3
        value = "postgresql+psycopg://" + value[len("postgresql://"):]
    return value


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown timezone") from exc
    return value


def _log_format(value: str) -> str:
    if value not in ("json", "text"):
        raise ValueError("supported: json, text")
    return value


def _log_level(value: str) -> str:
    value = value.upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("supported: DEBUG, INFO, WARNING, ERROR")
    return value


def _smtp_security(value: str) -> str:
    if value not in ("none", "starttls", "ssl"):
        raise ValueError("supported: none, starttls, ssl")
    return value


def _port(value: str) -> int:
    number = int(value)
    if not 0 < number < 65536:
        raise ValueError("must be a port number 1–65535")
    return number


def _address(value: str) -> str:
    if "@" not in value or any(c.isspace() for c in value.split("<")[-1]):
        raise ValueError("expected an e-mail address, e.g. archives@example.gov.cn")
    return value


def _hook(value: str) -> str:
    module, _, function = value.partition(":")
    if not module or not function.isidentifier() or not all(p.isidentifier() for p in module.split(".")):
        raise ValueError("expected package.module:function")
    return value


def _base_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("expected http:// or https://")
    return value.rstrip("/")


def _size(value: str) -> int:
    """A byte count: 4294967296, 4GB, 500MB, 64KB."""
    text_value = value.strip().upper().replace(" ", "")
    units = {"GB": 1024 ** 3, "MB": 1024 ** 2, "KB": 1024, "B": 1}
    suffix = next((s for s in units if text_value.endswith(s)), "")
    number = float(text_value[: -len(suffix)] if suffix else text_value) * units.get(suffix, 1)
    if number <= 0:
        raise ValueError("must be positive, e.g. 4GB or 500MB")
    return int(number)


def _push_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// address of the platform's receiving endpoint")
    return value


def _push_secret(value: str) -> str:
    if len(value) < 16:
        raise ValueError("use 16 characters or more")
    return value


def _attempts(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 1000:
        raise ValueError("must be between 1 and 1000")
    return number


def _backoff(value: str) -> float:
    number = float(value)
    if not 0 < number <= 86400:
        raise ValueError("must be a number of seconds between 0 and 86400")
    return number


def _locale(value: str) -> str:
    if value not in ("zh_CN", "en"):
        raise ValueError("supported: zh_CN, en")
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting("APP_ENV", str, "development", "development, production or testing"),
    Setting("SECRET_KEY", str, None,
            "signs sessions and CSRF tokens; required (≥ 32 chars) in production"),
    Setting("DATABASE_URL", _database_url, None,
            "sqlite:///path or postgresql://user@host/db; default: SQLite file instance/archives.db"),
    Setting("SESSION_COOKIE_SECURE", _bool, None,
            "send the session cookie over HTTPS only; default true except in development"),
    Setting("DEFAULT_LOCALE", _locale, "zh_CN", "UI language when the user has not chosen one: zh_CN or en"),
    Setting("TIMEZONE", _timezone, "Asia/Shanghai", "the bureau's timezone: its calendar days are the working days"),
    Setting("LOGIN_SLOWDOWN_AFTER", _positive_int, 3, "failed logins after which each further try must wait"),
    Setting("LOGIN_SLOWDOWN_SECONDS", _positive_int, 2, "first wait once slowing down; doubles per failure, ≤ 60 s"),
    Setting("LOGIN_LOCK_AFTER", _positive_int, 10, "failed logins in a row that lock the account"),
    Setting("LOGIN_LOCK_MINUTES", _positive_int, 15, "how long a locked account stays locked"),
    Setting("AGENCY_NAME", str, "示例市档案局", "the bureau's full name, printed on documents and pages"),
    Setting("AGENCY_SHORT_NAME", str, "示档", "the agency's short name at the start of document numbers (e.g. 六档)"),
    Setting("LOGIN_CLIENT_LIMIT", _positive_int, 20,
            "failed logins from one client (IP) in 15 minutes after which that client waits before each try"),
    Setting("SCRIPT_TIME_LIMIT", _positive_float, 2.0, "seconds one diagram script or expression may run"),
    Setting("SCRIPT_MEMORY_MB", _positive_int, 256, "memory (MB) one diagram script may use beyond its start"),
    Setting("AUDIT_ANCHOR_KEY", _anchor_key, None,
            "HMAC key (≥ 32 chars) signing the daily audit checkpoints; keep it outside the database"),
    Setting("AUDIT_ANCHOR_DIR", str, None, "folder of the signed audit checkpoints; default instance/audit-anchors"),
    Setting("LOG_FORMAT", _log_format, None,
            "json (one object per line, with request ids) or text; default json in production, else text"),
    Setting("LOG_LEVEL", _log_level, "INFO", "DEBUG, INFO, WARNING or ERROR"),
    Setting("FILES_DIR", str, None,
            "folder for attachments, recordings and uploads (attachments/, uploads/); default: the instance folder"),
    Setting("UPLOAD_MAX_BYTES", _size, 4 * 1024 ** 3,
            "largest recording or file accepted by the resumable upload (e.g. 4GB, 500MB)"),
    Setting("PUBLIC_BASE_URL", _base_url, "http://127.0.0.1:5000",
            "the address people open the platform at; links in e-mails start with it"),
    Setting("SMTP_HOST", str, "", "SMTP server for notification e-mails; empty: no e-mail is sent"),
    Setting("SMTP_PORT", _port, 25, "SMTP server port (587 with starttls, 465 with ssl)"),
    Setting("SMTP_USERNAME", str, "", "SMTP login; empty: no login"),
    Setting("SMTP_PASSWORD", str, "", "SMTP password"),
    Setting("SMTP_SECURITY", _smtp_security, "none", "none, starttls or ssl"),
    Setting("MAIL_FROM", _address, "archives@localhost", "sender address of notification e-mails"),
    Setting("SMS_HOOK", _hook, "",
            "package.module:function called as function(phone, text) to send an SMS through the bureau's gateway"),
    Setting("OUTBOX_URL", _push_url, "",
            "the city disclosure platform's endpoint that publication events are POSTed to; empty: no push"),
    Setting("OUTBOX_SECRET", _push_secret, "",
            "shared secret (≥ 16 chars) of the HMAC-SHA256 signature of each push; required with OUTBOX_URL"),
    Setting("OUTBOX_TIMEOUT", _positive_float, 10.0, "seconds one push may take before it counts as failed"),
    Setting("OUTBOX_MAX_ATTEMPTS", _attempts, 12,
            "tries of one event before it is marked failed (the legal section redelivers it)"),
    Setting("OUTBOX_BACKOFF_SECONDS", _backoff, 2.0, "pause after the first failed try; doubles per try (jitter)"),
    Setting("OUTBOX_BACKOFF_MAX_SECONDS", _backoff, 3600.0, "the longest pause between two tries"),
    Setting("DRAW_PROCESS_ID", str, "random_inspection", "process started for each object of a confirmed draw"),
    Setting("DIAGRAM_MAX_KB", _positive_int, 2048,
            "largest BPMN/DMN file or form (KB) that may be uploaded or saved into a draft"),
)


def describe_settings() -> list[tuple[str, str, str]]:
    """(name, default, help) for every environment variable, for docs and `flask config`."""
    return [(s.name, "" if s.default is None else str(s.default), s.help) for s in SETTINGS]


def load_config(environ: Mapping[str, str] | None = None, instance_path: str | None = None,
                overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read and validate every setting; raise ConfigError naming the first bad variable."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in overrides and not isinstance(overrides[setting.name], str):
            values[setting.name] = overrides.pop(setting.name)
            continue
        raw = overrides.pop(setting.name) if setting.name in overrides else environ.get(setting.name)
        if raw is None or raw == "":
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"environment variable {setting.name}={raw!r} is invalid: {exc}") from exc

    env = values["APP_ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"environment variable APP_ENV={env!r} is invalid: use one of {', '.join(ENVIRONMENTS)}")
    if not values["SECRET_KEY"]:
        if env == "production":
            raise ConfigError("environment variable SECRET_KEY is required in production (32 characters or more)")
        # Development and tests: a random key per process; sessions end when the server restarts.
        values["SECRET_KEY"] = secrets.token_hex(32)
    elif env == "production" and len(values["SECRET_KEY"]) < 32:
        raise ConfigError("environment variable SECRET_KEY is too short: use 32 characters or more")
    if values["DATABASE_URL"] is None:
        folder = Path(instance_path or "instance")
        values["DATABASE_URL"] = f"sqlite:///{(folder / 'archives.db').resolve()}"
    if values["AUDIT_ANCHOR_DIR"] is None:
        values["AUDIT_ANCHOR_DIR"] = str((Path(instance_path or "instance") / "audit-anchors").resolve())
    if values["FILES_DIR"] is None:
        values["FILES_DIR"] = str(Path(instance_path or "instance").resolve())
    if values["LOG_FORMAT"] is None:
        values["LOG_FORMAT"] = "json" if env == "production" else "text"
    if values["OUTBOX_URL"] and not values["OUTBOX_SECRET"]:
        raise ConfigError("environment variable OUTBOX_SECRET is required when OUTBOX_URL is set "
                          "(16 characters or more)")
    if values["SESSION_COOKIE_SECURE"] is None:
        values["SESSION_COOKIE_SECURE"] = env != "development"

    config: dict[str, Any] = {
        **values,
        "SQLALCHEMY_DATABASE_URI": values["DATABASE_URL"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": values["SESSION_COOKIE_SECURE"],
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": values["DEFAULT_LOCALE"],
        "TESTING": env == "testing",
    }
    config.update(overrides)
    return config
