"""Masking the personal data of natural persons before publication (公示信息中自然人个人信息的处理).

ID numbers are never published; names are shown partly (张*三, 张*); addresses are cut to the district (区/县);
mobile numbers keep their first three and last four digits. Units (legal persons) are published as they are.
"""

from __future__ import annotations

import re

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                       r"(?![0-9A-Za-z])|(?<!\d)[1-9]\d{14}(?!\d)")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
ID_HIDDEN = "（身份证号码不予公开）"
_DISTRICT = re.compile(r"^(.*?(?:自治区|省|市)?.*?(?:区|县|旗|自治县|县级市))")


def mask_name(name: str) -> str:
    """张三 → 张*; 张小三 → 张*三; 欧阳小明 → 欧**明. Empty stays empty."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_address(address: str) -> str:
    """The address down to its district or county (示例市演示区演示路 8 号 → 示例市演示区)."""
    address = (address or "").strip()
    match = _DISTRICT.match(address)
    if match and len(match[1]) < len(address):
        return match[1]
    city = address.find("市")
    return address[: city + 1] if 0 <= city < len(address) - 1 else address


def hide_numbers(text: str) -> str:
    """ID numbers removed, mobile numbers partly hidden."""
    text = ID_NUMBER.sub(ID_HIDDEN, text or "")
    return MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)


def has_id_number(text: str) -> bool:
    """Whether the text still holds something shaped like an ID number (never published)."""
    return bool(ID_NUMBER.search(text or ""))


def mask_person_text(text: str, name: str, address: str = "") -> str:
    """A text about a natural person: their name, address and numbers masked wherever they appear."""
    text = hide_numbers(text)
    if address.strip():
        text = text.replace(address.strip(), mask_address(address))
    if name.strip():
        text = text.replace(name.strip(), mask_name(name))
    return text
