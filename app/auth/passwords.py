"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.errors import N_, ValidationFailed

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """A fresh argon2id hash."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; False for any mismatch or unreadable hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def check_policy(password: str, field: str = "password") -> None:
    """At least 10 characters with letters and digits; raise ValidationFailed naming the field."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("密码至少需要 10 个字符。"))
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append(N_("密码须同时包含字母和数字。"))
    if problems:
        raise ValidationFailed({field: problems})
