"""The roles of DOMAIN.md. A user holds one or more."""

from enum import StrEnum


class Role(StrEnum):
    """Role code names; labels live in the web layer (translated)."""

    SUPERVISION = "supervision"
    LEGAL = "legal"
    INSPECTOR = "inspector"
    EXPERT = "expert"
    DISCIPLINE = "discipline"
    LEADER = "leader"
    AUDITOR = "auditor"
    ADMIN = "admin"

