"""How documents write money and dates: ¥ figures with two decimals, 大写 amounts, 2026年11月22日 in the body and
二〇二六年十一月二十二日 at the signature. Never ISO dates or floats in running text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = (("仟", 3), ("佰", 2), ("拾", 1), ("", 0))
SECTIONS = ("", "万", "亿", "万亿")
NUMERALS = "〇一二三四五六七八九"
CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal:
    """A money value (int, float, str or Decimal) as a Decimal rounded half-up to the fen."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_figures(value: object) -> str:
    """¥150,000.00 — figures with thousands separators and two decimals."""
    return f"¥{to_decimal(value):,.2f}"


def _section(number: int) -> str:
    """0 < number < 10000 written with its own inner zeros (1005 → 壹仟零伍)."""
    text, zero = "", False
    for unit, power in PLACES:
        digit = number // 10 ** power % 10
        if digit == 0:
            zero = zero or bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + unit
    return text


def _integer_upper(number: int) -> str:
    groups: list[int] = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    if len(groups) > len(SECTIONS):
        raise ValueError("amount too large")
    text, pending_zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = pending_zero or bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        text += _section(group) + SECTIONS[index]
        pending_zero = False
    return text


def money_upper(value: object) -> str:
    """人民币壹拾伍万元整: the financial capital form (元 then 整; 角分 without 整; 零 where the rules ask)."""
    amount = to_decimal(value)
    if amount < 0:
        raise ValueError("negative amount")
    yuan = int(amount)
    fen_total = int((amount - yuan) * 100)
    jiao, fen = divmod(fen_total, 10)
    text = _integer_upper(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return f"人民币{text or '零元'}整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return f"人民币{text}"


def money(value: object) -> str:
    """Both forms, as decisions and notices write them: 人民币壹拾伍万元整（¥150,000.00）."""
    return f"{money_upper(value)}（{money_figures(value)}）"


def as_date(value: object) -> date | None:
    """A date from a date, datetime or ISO text (None when empty or unreadable)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def date_text(value: object) -> str:
    """2026年11月22日 (body text); '' when there is no date."""
    day = as_date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _small_number(number: int) -> str:
    """1–31 in Chinese numerals: 十, 十一, 二十二, 三十一."""
    tens, units = divmod(number, 10)
    text = ("" if tens == 1 else NUMERALS[tens]) + "十" if tens else ""
    return text + (NUMERALS[units] if units else "")


def date_numerals(value: object) -> str:
    """二〇二六年十一月二十二日 (the date at the signature); '' when there is no date."""
    day = as_date(value)
    if not day:
        return ""
    year = "".join(NUMERALS[int(d)] for d in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"
