"""The official layout of enforcement documents (GB/T 9704): A4; margins 37/35/28/26 mm; title in 小标宋 22 pt;
body in 仿宋 16 pt. East-Asian fonts are declared (w:eastAsia) so Word, WPS and LibreOffice pick the right face."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.run import Run

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def set_fonts(run: Run, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Latin and East-Asian font names on one run (python-docx sets only the Latin one)."""
    run.font.name = LATIN_FONT
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:eastAsia", "w:hint"):
        fonts.set(qn(attribute), east_asian if attribute == "w:eastAsia" else "eastAsia")
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def official_document(landscape: bool = False) -> Document:
    """An empty A4 document with the official margins and a 仿宋 16 pt Normal style."""
    document = new_docx()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    return document


def add_title(document: Document, text: str) -> None:
    """The centred title in 小标宋 22 pt."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(paragraph.add_run(text), TITLE_FONT, 22)


def add_number(document: Document, number: str) -> None:
    """The document number (文号), centred under the title."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(paragraph.add_run(number), BODY_FONT, 16)


def add_heading(document: Document, text: str) -> None:
    """A level-one heading in 黑体 16 pt."""
    set_fonts(document.add_paragraph().add_run(text), HEADING_FONT, 16)


def add_text(document: Document, text: str, size: float = 16, indent: bool = True) -> None:
    """A body paragraph in 仿宋 with a two-character first-line indent."""
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    set_fonts(paragraph.add_run(text), BODY_FONT, size)


def add_table(document: Document, headers: Sequence[str], rows: Sequence[Sequence[str]], size: float = 10.5) -> None:
    """A bordered table in 仿宋 (smaller type, so wide tables fit), header row bold and repeated on every page."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        set_fonts(cell.paragraphs[0].add_run(header), HEADING_FONT, size, bold=True)
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            set_fonts(cell.paragraphs[0].add_run(str(value)), BODY_FONT, size)


def to_bytes(document: Document) -> bytes:
    """The .docx file."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
