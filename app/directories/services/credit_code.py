"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters with a check digit."""

from __future__ import annotations

from app.errors import N_

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The check character for the first 17 characters."""
    total = sum(ALPHABET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """None when the code is valid, else the reason (a Chinese msgid)."""
    if len(code) != 18:
        return N_("统一社会信用代码应为 18 位。")
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        return N_("统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）。")
    if not code[2:8].isdigit():
        return N_("统一社会信用代码第 3–8 位应为行政区划代码（数字）。")
    if check_character(code[:17]) != code[17]:
        return N_("统一社会信用代码校验位不正确。")
    return None


def normalise(raw: str) -> str:
    """Upper-case, without spaces (as people type it)."""
    return "".join(raw.split()).upper()
