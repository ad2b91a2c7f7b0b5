"""The audit log as an Excel workbook: one labelled row per event, formula-like cells neutralised."""

from __future__ import annotations

import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Font

from app.audit.labels import action_label, detail_pairs, object_label
from app.audit.models import AuditEvent
from app.clock import to_local

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_EXPORT_ROWS = 100_000


def safe_cell(value: object) -> object:
    """A value Excel will not run as a formula: text starting with = + - @ gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def workbook(events: list[AuditEvent], translate: Callable[[str], str]) -> bytes:
    """An .xlsx of the events with translated headers and labels."""
    book = Workbook()
    sheet = book.active
    sheet.title = translate("审计日志")[:31]
    headers = ["#", translate("时间"), translate("操作人"), translate("操作"), translate("对象"), translate("详情"),
               translate("哈希")]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for event in events:
        details = "；".join(f"{translate(label)}：{value}" for label, value in detail_pairs(event.details or {}))
        target = translate(object_label(event.object_type)) + (f" #{event.object_id}" if event.object_id else "")
        row = [event.id, to_local(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
               event.actor.full_name if event.actor else translate("系统/匿名"), translate(action_label(event.action)),
               target, details, event.hash]
        sheet.append([safe_cell(v) for v in row])
    for column, width in zip("ABCDEFG", (8, 20, 16, 18, 18, 60, 66), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
