"""Export a directory to .xlsx, and the empty import template (headers, choices as drop-downs)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from app.directories.models import InspectionObject, Tier
from app.directories.services.records import plain
from app.directories.services.specs import ListSpec
from app.extensions import db
from app.spreadsheets import escape_cell


def _sheet(spec: ListSpec, translate: Any) -> tuple[Workbook, Any]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = translate(spec.title)[:31]
    sheet.append([translate(c.header) for c in spec.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    for index, column in enumerate(spec.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(translate(column.header)) * 2 + 4))
    sheet.freeze_panes = "A2"
    return workbook, sheet


def template(spec: ListSpec, translate: Any) -> bytes:
    """Headers exactly as the importer expects; choice columns offer their options."""
    workbook, sheet = _sheet(spec, translate)
    tiers = [name for (name,) in db.session.execute(select(Tier.name).where(Tier.active.is_(True))
                                                    .order_by(Tier.position))]
    for index, column in enumerate(spec.columns, start=1):
        options = [translate(label) for _code, label in column.choices] if column.choices else (
            tiers if column.kind == "tier" else [])
        if options:
            letter = sheet.cell(row=1, column=index).column_letter
            validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}10000")
    return _bytes(workbook)


def export(spec: ListSpec, rows: list[Any], translate: Any) -> bytes:
    """The given records, one per row, in the template's columns (so an export can be re-imported)."""
    workbook, sheet = _sheet(spec, translate)
    codes = {}
    if any(c.kind == "object" for c in spec.columns):
        ids = {getattr(r, c.key) for r in rows for c in spec.columns if c.kind == "object"}
        codes = dict(db.session.execute(select(InspectionObject.id, InspectionObject.credit_code)
                                        .where(InspectionObject.id.in_(ids))).all()) if ids else {}
    tiers = dict(db.session.execute(select(Tier.id, Tier.name)).all())
    for record in rows:
        line = []
        for column in spec.columns:
            value = getattr(record, column.key)
            if column.kind == "object":
                value = codes.get(value, "")
            elif column.kind == "tier":
                value = tiers.get(value, "")
            elif column.kind == "choice":
                value = translate(dict(column.choices).get(value, value)) if value else ""
            line.append(escape_cell(plain(value)))
        sheet.append(line)
    return _bytes(workbook)


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
