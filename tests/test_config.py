"""Configuration is validated at start-up with errors that name the variable."""

import pytest

from app import create_app
from app.config import ConfigError, load_config


def test_defaults_are_chinese_sqlite_and_secure_cookies_outside_development(tmp_path):
    config = load_config({"APP_ENV": "testing"}, instance_path=str(tmp_path))
    assert config["DEFAULT_LOCALE"] == "zh_CN"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'archives.db'}"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_postgresql_url_uses_psycopg_driver():
    config = load_config({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/x"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/x"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"APP_ENV": "production"}, "SECRET_KEY"),
        ({"APP_ENV": "production", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"LOGIN_LOCK_AFTER": "ten"}, "LOGIN_LOCK_AFTER"),
        ({"SESSION_COOKIE_SECURE": "maybe"}, "SESSION_COOKIE_SECURE"),
        ({"DEFAULT_LOCALE": "fr"}, "DEFAULT_LOCALE"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"SMTP_SECURITY": "tls13"}, "SMTP_SECURITY"),
        ({"SMTP_PORT": "70000"}, "SMTP_PORT"),
        ({"MAIL_FROM": "nobody"}, "MAIL_FROM"),
        ({"SMS_HOOK": "not a hook"}, "SMS_HOOK"),
        ({"PUBLIC_BASE_URL": "zf.example.gov.cn"}, "PUBLIC_BASE_URL"),
        ({"UPLOAD_MAX_BYTES": "-1GB"}, "UPLOAD_MAX_BYTES"),
        ({"UPLOAD_MAX_BYTES": "lots"}, "UPLOAD_MAX_BYTES"),
        ({"OUTBOX_URL": "platform.example.gov.cn/events"}, "OUTBOX_URL"),
        ({"OUTBOX_URL": "https://platform.example.gov.cn/events"}, "OUTBOX_SECRET"),
        ({"OUTBOX_URL": "https://p.example/e", "OUTBOX_SECRET": "short"}, "OUTBOX_SECRET"),
        ({"OUTBOX_MAX_ATTEMPTS": "0"}, "OUTBOX_MAX_ATTEMPTS"),
        ({"OUTBOX_TIMEOUT": "9000"}, "OUTBOX_TIMEOUT"),
    ],
)
def test_bad_settings_name_the_variable(environ, named):
    with pytest.raises(ConfigError, match=named):
        load_config(environ)


def test_create_app_refuses_to_start_with_bad_config(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        create_app()


def test_operations_settings_parse(tmp_path):
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "k" * 40, "UPLOAD_MAX_BYTES": "500MB",
                          "SMS_HOOK": "bureau_sms:send", "PUBLIC_BASE_URL": "https://zf.example.gov.cn/"},
                         instance_path=str(tmp_path))
    assert config["UPLOAD_MAX_BYTES"] == 500 * 1024 * 1024 and config["LOG_FORMAT"] == "json"
    assert config["PUBLIC_BASE_URL"] == "https://zf.example.gov.cn" and config["FILES_DIR"] == str(tmp_path)
