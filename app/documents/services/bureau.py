"""The issuing bureau's settings (机关设置): what every document prints about the bureau.

One row per bureau (`bureau_settings.bureau_id`): `get_bureau()` reads the row of the bureau being worked in,
and before its first save falls back to that bureau's names in the bureau tree.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.bureaus.context import current
from app.bureaus.services.tree import get_bureau as tree_bureau
from app.clock import utcnow
from app.documents.models import BureauSettings
from app.errors import N_, ValidationFailed
from app.extensions import db

SEAL_MAX_BYTES = 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Field:
    """One setting: its name, Chinese label, length limit, whether saving needs it, and a format check."""

    name: str
    label: str
    max_length: int
    required: bool = False
    pattern: str = ""
    pattern_message: str = ""


FIELDS: tuple[Field, ...] = (
    Field("full_name", N_("机关全称"), 100, required=True),
    Field("short_name", N_("文号机关代字"), 20, required=True),
    Field("address", N_("机关地址"), 200),
    Field("postcode", N_("邮政编码"), 6, pattern=r"^\d{6}$", pattern_message=N_("邮政编码应为 6 位数字。")),
    Field("phone", N_("联系电话"), 30, pattern=r"^[0-9()（）\- ]{5,30}$",
          pattern_message=N_("联系电话只能包含数字、括号、空格和连字符。")),
    Field("reconsideration_body", N_("行政复议机关"), 200),
    Field("court", N_("管辖人民法院"), 200),
    Field("bank_name", N_("罚款缴纳银行"), 100),
    Field("account_name", N_("收款账户名称"), 100),
    Field("account_no", N_("收款账号"), 40, pattern=r"^[0-9 \-]{6,40}$",
          pattern_message=N_("收款账号只能包含数字、空格和连字符。")),
    Field("signatory", N_("签发人（机关负责人）"), 50),
)
FIELD_LABELS = {f.name: f.label for f in FIELDS}


@dataclass(frozen=True)
class Bureau:
    """A snapshot of the settings for one document."""

    full_name: str = "示例市档案局"
    short_name: str = "示档"
    address: str = ""
    postcode: str = ""
    phone: str = ""
    reconsideration_body: str = ""
    court: str = ""
    bank_name: str = ""
    account_name: str = ""
    account_no: str = ""
    signatory: str = ""
    seal_png: bytes | None = None


_DEFAULTS = {"full_name": Bureau.full_name, "short_name": Bureau.short_name}


def configure(full_name: str, short_name: str) -> None:
    """Names from configuration (AGENCY_NAME, AGENCY_SHORT_NAME), used until the settings row exists."""
    _DEFAULTS.update(full_name=full_name, short_name=short_name)


def _row() -> BureauSettings | None:
    bureau_id = current().bureau_id
    if bureau_id is None:
        return None
    return db.session.scalar(select(BureauSettings).where(BureauSettings.bureau_id == bureau_id))


def _defaults() -> dict[str, str]:
    """The working bureau's names from the bureau tree (the configured names outside any bureau)."""
    bureau_id = current().bureau_id
    if bureau_id is None:
        return dict(_DEFAULTS)
    node = tree_bureau(bureau_id)
    return {"full_name": node.name, "short_name": node.short_name}


def get_bureau() -> Bureau:
    """The working bureau as documents print it (its names in the bureau tree when no settings were saved)."""
    row = _row()
    if row is None:
        return Bureau(**_defaults())
    values = {f.name: getattr(row, f.name) or "" for f in FIELDS}
    return Bureau(**values, seal_png=row.seal_png or None)


def settings_row() -> BureauSettings | None:
    """The stored row (for the settings page), or None before the first save."""
    return _row()


def png_size(content: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG; ValueError when it is not one."""
    if not content.startswith(PNG_SIGNATURE) or content[12:16] != b"IHDR" or len(content) < 24:
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", content[16:24])
    if not (0 < width <= 4000 and 0 < height <= 4000):
        raise ValueError("bad PNG size")
    return width, height


def _clean(values: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    clean: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for spec in FIELDS:
        text = str(values.get(spec.name) or "").strip()
        if spec.required and not text:
            errors[spec.name] = [N_("此项为必填项。")]
        elif len(text) > spec.max_length:
            errors[spec.name] = [N_("内容过长。")]
        elif text and spec.pattern and not re.match(spec.pattern, text):
            errors[spec.name] = [spec.pattern_message]
        clean[spec.name] = text
    return clean, errors


def update_bureau(actor: User, values: dict[str, Any], seal: bytes | None = None,
                  remove_seal: bool = False) -> BureauSettings:
    """Save the settings (audited with each changed field); a seal must be a PNG of at most 1 MB."""
    clean, errors = _clean(values)
    if seal is not None:
        if len(seal) > SEAL_MAX_BYTES:
            errors["seal"] = [N_("印章图片不能超过 1 MB。")]
        else:
            try:
                png_size(seal)
            except ValueError:
                errors["seal"] = [N_("印章图片须为 PNG 格式。")]
    if errors:
        raise ValidationFailed(errors)
    row = _row()
    if row is None:
        row = BureauSettings(**_defaults())
        db.session.add(row)
    changes = {name: {"from": getattr(row, name) or "", "to": value}
               for name, value in clean.items() if (getattr(row, name) or "") != value}
    for name, value in clean.items():
        setattr(row, name, value)
    if seal is not None:
        row.seal_png, row.seal_sha256 = seal, hashlib.sha256(seal).hexdigest()
        changes["seal"] = {"from": "", "to": row.seal_sha256}
    elif remove_seal and row.seal_sha256:
        changes["seal"] = {"from": row.seal_sha256, "to": ""}
        row.seal_png, row.seal_sha256 = None, ""
    row.updated_at, row.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("bureau.updated", actor=actor, object_type="bureau", object_id=row.id, details={"changes": changes})
    return row


def seed_bureau(values: dict[str, str]) -> None:
    """Fill empty settings (demo data); never overwrites what an administrator saved."""
    row = _row()
    if row is None:
        row = BureauSettings(**_defaults())
        db.session.add(row)
    for name, value in values.items():
        if name in {f.name for f in fields(Bureau)} and not getattr(row, name):
            setattr(row, name, value)
    db.session.flush()
