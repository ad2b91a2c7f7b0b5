"""Cells written to spreadsheets we hand out never act as formulas (CSV/formula injection).

A text cell beginning with = + - @ (or a tab or carriage return, which some programs skip before reading
the formula) is prefixed with an apostrophe, the spreadsheet convention for "this is text". Importing
takes the apostrophe off again, so an export re-imports unchanged.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """The value to write into an exported cell: dangerous text is made inert; numbers and dates pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """Undo escape_cell on an imported text cell."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
