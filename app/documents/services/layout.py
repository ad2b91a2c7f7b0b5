"""The official layout of enforcement documents (GB/T 9704-2012).

A4; margins 37/35/28/26 mm; body 仿宋 16 pt, 22 lines × 28 characters: the section's line grid (w:docGrid,
linePitch 579 twips = 225 mm / 22) with exact line spacing and no space after, and body runs condensed by 0.25 pt so
28 characters fill the 156 mm line. (A character grid — type linesAndChars with the usual charSpace -849 — is read by
LibreOffice as cells narrower than a 16 pt glyph, which it then spreads over two cells: 16 characters a line. The
line grid plus condensing gives 28 in Word, WPS and LibreOffice alike; charSpace is still declared for Word.)
Title 小标宋 22 pt under the issuing body's name; 文号; page numbers "— 1 —" in 宋体
14 pt on the outer side (odd right, even left); signature with the date in Chinese numerals and the seal over it.
Fonts are declared with East-Asian names and fall-backs in the font table, so Word, WPS and LibreOffice (which
renders with Noto CJK here) each pick an available face.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Each declared face names the next one to try (w:altName): 方正小标宋简体 → 华文中宋 → 宋体; 仿宋_GB2312 → 仿宋
# (FangSong); 黑体 → SimHei; 楷体_GB2312 → 楷体 (KaiTi).
FALLBACKS = {
    TITLE_FONT: "华文中宋", "华文中宋": "宋体", BODY_FONT: "仿宋", "仿宋": "FangSong", HEADING_FONT: "SimHei",
    KAI_FONT: "楷体", "楷体": "KaiTi", PAGE_NUMBER_FONT: "SimSun",
}
LINE_PITCH_TWIPS = 579  # 225 mm text block / 22 lines = 28.95 pt
CHAR_SPACE = -849  # 156 mm / 28 characters = 15.79 pt pitch: (15.79 - 16) pt × 4096 (Word's character grid)
CONDENSE_TWENTIETHS = -5  # 16 pt glyphs advanced by 15.75 pt: 28 to the 156 mm line
BODY_SIZE = 16
TEXT_WIDTH_MM = {False: 156, True: 243}  # portrait, landscape
SEAL_MM = 42


def set_fonts(run: Run, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Latin and East-Asian font names on one run (python-docx sets only the Latin one)."""
    run.font.name = LATIN_FONT
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")
    if size is not None:
        run.font.size = Pt(size)
        if size == BODY_SIZE:
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
            r_pr.append(spacing)
    if bold is not None:
        run.bold = bold


def _declare_fonts(document: Document) -> None:
    """Font-table entries (GB2312 charset, family, alternative name) so a missing face falls back sensibly."""
    part = next((p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml"), None)
    if part is None:  # pragma: no cover - python-docx's template has one
        return
    element = getattr(part, "_element", None)
    root = element if element is not None else etree.fromstring(part.blob)
    for name, alternative in FALLBACKS.items():
        family = "swiss" if name in (HEADING_FONT, "SimHei") else "roman"  # 黑体 sans; 宋/仿宋/楷 serif
        font = parse_xml(f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
                         f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>')
        root.append(font)
    if element is None:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _grid(section_pr: etree._Element) -> None:
    grid = section_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def exact_spacing(paragraph: Paragraph, points: float, snap: bool = True) -> None:
    """Exact line spacing, nothing before or after; off the grid when `snap` is False (tables, footers)."""
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(points)
    fmt.line_spacing_rule = 4  # WD_LINE_SPACING.EXACTLY
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    if not snap:
        p_pr = paragraph._p.get_or_add_pPr()
        element = OxmlElement("w:snapToGrid")
        element.set(qn("w:val"), "0")
        p_pr.insert(0, element)


def _field_run(paragraph: Paragraph, instruction: str, placeholder: str, size: float) -> None:
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", placeholder),
                       ("end", None)):
        run = paragraph.add_run()
        set_fonts(run, PAGE_NUMBER_FONT, size)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            run._r.append(element)
        elif kind == "text":
            run.text = text or ""
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)


def _page_number(paragraph: Paragraph, odd: bool) -> None:
    """— 1 — in 宋体 4号 (14 pt), on the outer side, one character in from the edge."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    if odd:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    exact_spacing(paragraph, 18, snap=False)
    set_fonts(paragraph.add_run("— "), PAGE_NUMBER_FONT, 14)
    _field_run(paragraph, " PAGE ", "1", 14)
    set_fonts(paragraph.add_run(" —"), PAGE_NUMBER_FONT, 14)


def _footers(document: Document, signature_line: str = "") -> None:
    section = document.sections[0]
    document.settings.odd_and_even_pages_header_footer = True
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        first = footer.paragraphs[0]
        if signature_line:
            exact_spacing(first, 20, snap=False)
            set_fonts(first.add_run(signature_line), BODY_FONT, 12)
            _page_number(footer.add_paragraph(), odd)
        else:
            _page_number(first, odd)


def official_document(landscape: bool = False, signature_line: str = "") -> Document:
    """An empty A4 document in the official layout; `signature_line` goes in the footer of every page."""
    document = new_docx()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(25), Mm(20)
        section.left_margin, section.right_margin = Mm(27), Mm(27)
    else:
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(15 if landscape else 22)
    section.header_distance = Mm(15)
    if not landscape:
        _grid(section._sectPr)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_SIZE)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing, fmt.line_spacing_rule = Pt(28.95), 4
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.widow_control = False
    _declare_fonts(document)
    _footers(document, signature_line)
    return document


def add_title(document: Document, text: str, issuer: str = "") -> None:
    """The issuing body's name (when given) and the title, centred, in 小标宋 22 pt."""
    for line in ([issuer] if issuer else []) + [text]:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        exact_spacing(paragraph, 35)
        set_fonts(paragraph.add_run(line), TITLE_FONT, 22)


def add_number(document: Document, number: str) -> None:
    """The document number (文号), right-aligned under the title, then an empty line."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_fonts(paragraph.add_run(number), BODY_FONT, BODY_SIZE)
    document.add_paragraph()


def add_heading(document: Document, text: str) -> None:
    """A level-one heading in 黑体 16 pt."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
    set_fonts(paragraph.add_run(text), HEADING_FONT, BODY_SIZE)


def add_text(document: Document, text: str, size: float = BODY_SIZE, indent: bool = True,
             align: str = "") -> Paragraph:
    """A body paragraph in 仿宋 with a two-character first-line indent."""
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if size != BODY_SIZE:
        exact_spacing(paragraph, size * 1.5, snap=False)
    set_fonts(paragraph.add_run(text), BODY_FONT, size)
    return paragraph


def add_labeled(document: Document, label: str, value: str) -> None:
    """"label：value" without indent, the label in 黑体 (for the heads of transcripts and forms)."""
    paragraph = document.add_paragraph()
    set_fonts(paragraph.add_run(f"{label}："), HEADING_FONT, BODY_SIZE)
    set_fonts(paragraph.add_run(value), BODY_FONT, BODY_SIZE)


def _anchor_behind(run: Run, x_emu: int) -> None:
    """Turn the run's inline picture into one floating behind the text, `x_emu` from the column's left edge."""
    inline = run._r.find(".//" + qn("wp:inline"))
    if inline is None:  # pragma: no cover
        return
    extent = inline.find(qn("wp:extent"))
    cx, cy = int(extent.get("cx")), int(extent.get("cy"))
    graphic = inline.find(qn("a:graphic"))
    doc_pr = inline.find(qn("wp:docPr"))
    offset_y = -int(cy * 0.55)
    anchor = parse_xml(
        f'<wp:anchor {nsdecls("wp", "a", "pic", "r")} distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        f'relativeHeight="251659264" behindDoc="1" locked="0" layoutInCell="1" allowOverlap="1">'
        f'<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="column"><wp:posOffset>{x_emu}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{offset_y}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'</wp:anchor>')
    anchor.append(doc_pr)
    anchor.append(parse_xml(f'<wp:cNvGraphicFramePr {nsdecls("wp")}/>'))
    anchor.append(graphic)
    inline.getparent().replace(inline, anchor)


def add_signature(document: Document, issuer: str, date_line: str, seal_png: bytes | None = None,
                  seal: bool = True) -> None:
    """The issuing body over the date (Chinese numerals), the date four characters in from the right; the seal
    over the date — the bureau's seal image when it has one, else a marked position (（印章）). The block keeps
    with the paragraph before it and with what follows, so a signature never stands alone on a page."""
    if document.paragraphs:
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    document.add_paragraph().paragraph_format.keep_with_next = True
    pad = max(0.0, display_width(date_line) - display_width(issuer)) / 2
    name = document.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    name.paragraph_format.right_indent = Pt(BODY_SIZE * (4 + pad))
    name.paragraph_format.keep_with_next = True
    set_fonts(name.add_run(issuer), BODY_FONT, BODY_SIZE)
    if seal and not seal_png:
        mark = document.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        mark.paragraph_format.keep_with_next = True
        mark.paragraph_format.right_indent = Pt(BODY_SIZE * (4 + max(0.0, display_width(date_line) - 4) / 2))
        set_fonts(mark.add_run("（印章）"), BODY_FONT, BODY_SIZE)
    date = document.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date.paragraph_format.right_indent = Pt(BODY_SIZE * 4)
    date.paragraph_format.keep_with_next = True  # with the contact lines that may follow
    if seal and seal_png:
        run = date.add_run()
        run.add_picture(io.BytesIO(seal_png), width=Mm(SEAL_MM))
        centre_from_right = BODY_SIZE * (4 + display_width(date_line) / 2)  # points
        left = TEXT_WIDTH_MM[False] / 25.4 * 72 - centre_from_right - SEAL_MM / 25.4 * 72 / 2
        _anchor_behind(run, int(left * 12700))
    set_fonts(date.add_run(date_line), BODY_FONT, BODY_SIZE)


def add_sign_lines(document: Document, lines: Sequence[str]) -> None:
    """Lines where people sign (name, certificate number, date), one per paragraph."""
    for line in lines:
        paragraph = document.add_paragraph()
        set_fonts(paragraph.add_run(line), BODY_FONT, BODY_SIZE)


def display_width(text: str) -> float:
    """Width in CJK characters: ASCII counts half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], available: float) -> list[float]:
    """Column widths (in characters) from the content: short columns get what they need, long ones share the rest."""
    count = len(headers)
    pad = 1.5  # cell margins, in characters
    desired = [max([display_width(headers[i]) + pad]
                   + [max(display_width(line) for line in str(r[i]).split("\n")) + pad for r in rows])
               for i in range(count)]
    minimum = [min(desired[i], max(display_width(h) + pad if display_width(h) <= 4 else display_width(h) / 2 + pad, 3))
               for i, h in enumerate(headers)]
    if sum(desired) <= available:
        return [d * available / sum(desired) for d in desired]
    widths = list(desired)
    fixed: set[int] = set()
    while True:
        free = [i for i in range(count) if i not in fixed]
        room = available - sum(widths[i] for i in fixed)
        share = room / len(free)
        small = [i for i in free if desired[i] <= share]
        if not small:
            total = sum(desired[i] for i in free)
            for i in free:
                widths[i] = max(minimum[i], desired[i] * room / total)
            return widths
        fixed.update(small)
        if len(fixed) == count:
            return widths


def _row_props(row: object, header: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        element = OxmlElement("w:tblHeader")
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _fill(cell: object, text: str, font: str, size: float, bold: bool = False) -> None:
    cell.text = ""  # type: ignore[attr-defined]
    lines = str(text).split("\n")
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()  # type: ignore[attr-defined]
        exact_spacing(paragraph, size * 1.45, snap=False)
        set_fonts(paragraph.add_run(line), font, size, bold=bold or None)


def add_table(document: Document, headers: Sequence[str], rows: Sequence[Sequence[str]], size: float = 12,
              landscape: bool = False, widths: Sequence[float] | None = None) -> None:
    """A bordered table: columns sized from their content, header row repeated on every page, rows never split."""
    available = TEXT_WIDTH_MM[landscape] / (size * 0.3528) - 0.5  # characters of this size across the text block
    chars = list(widths) if widths else column_widths(headers, rows, available)
    total_twips = int(TEXT_WIDTH_MM[landscape] / 25.4 * 1440)
    twips = [int(c / sum(chars) * total_twips) for c in chars]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr  # autofit False above already wrote <w:tblLayout w:type="fixed"/>
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    for grid_col, value in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        grid_col.set(qn("w:w"), str(value))
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _fill(cell, header, HEADING_FONT, size)
    _row_props(table.rows[0], header=True)
    for values in rows:
        row = table.add_row()
        _row_props(row)
        for cell, value in zip(row.cells, values, strict=True):
            _fill(cell, str(value), BODY_FONT, size)
    for row in table.rows:
        for cell, value in zip(row.cells, twips, strict=True):
            cell.width = value * 635  # twips → EMU
    document.add_paragraph()


def to_bytes(document: Document) -> bytes:
    """The .docx file."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
