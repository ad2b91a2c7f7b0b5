"""Every document type, as a person sees it: issued by the real procedures, converted to PDF by LibreOffice (one
soffice run for all), read back with pdftotext. Page counts, page numbers, signature lines, no placeholder / None /
ISO date / float money, and every required field's value in the text.

`make document-previews` runs this file with DOCUMENT_PREVIEWS=docs/documents to refresh one PNG per type.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document as read_docx
from flask import Flask
from sqlalchemy.orm import scoped_session, sessionmaker

from app.documents.services.chinese import date_numerals, date_text, money_figures
from app.documents.services.context import AREAS, SERVICE_METHODS, SOURCES, Issue, people
from app.documents.services.numbers import DOC_TYPES
from app.documents.services.requirements import CONDITIONAL, REQUIRED, Ref
from app.documents.services.statements import GENDERS
from app.extensions import db
from tests.documents.scenario import issue_everything

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPTS = {"onsite_record", "inquiry_record", "recheck_record", "collective_discussion", "hearing_record"}
MAX_PAGES = {"results_report": 3, "annual_report": 8}  # both carry charts (issue 14)
ENUMS: dict[str, dict[str, str]] = {"inquiry_gender": GENDERS, "service_method": SERVICE_METHODS, "source": SOURCES,
                                    "review_outcome": {"agree": "同意", "disagree": "不同意", "revise": "修改后再报"}}
LISTS = {"key_areas": None, "findings": "situation", "problems": "problem", "inquiry_qa": "answer",
         "evidence_items": "name"}
SKIP = {"decision_type", "year"}
FORBIDDEN = [(re.compile(r"\bNone\b|\bnull\b"), "None"), (re.compile(r"\d{4}-\d{2}-\d{2}"), "ISO date"),
             (re.compile(r"\d\.\d(?!\d)"), "float money"), (re.compile(r"[{}]|%\("), "placeholder"),
             (re.compile(r"（）|：。|：，|：；"), "blank value")]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


FONTS = {**os.environ, "FONTCONFIG_FILE": str(Path(__file__).with_name("fonts.conf"))}


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=300, env=FONTS).stdout


@pytest.fixture(scope="session")
def rendered(app: Flask) -> Iterator[dict[str, Any]]:
    """{doc_type: (issue, docx bytes, [page texts])} plus the schedule table, from one procedure run."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
        try:
            from app.bureaus.context import for_bureau, use

            with use(for_bureau(1)):  # a session fixture: outside the per-test bureau context
                issued, schedule = issue_everything()
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
    # Own temporary folder: pytest's numbered basetemp folders are pruned by other pytest runs of the same user.
    folder = Path(tempfile.mkdtemp(prefix="documents-"))
    for doc_type, item in issued.items():
        (folder / f"{doc_type}.docx").write_bytes(item.content)
    (folder / "schedule.docx").write_bytes(schedule)
    profile = folder / "soffice-profile"
    _run("soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(folder), *sorted(str(p) for p in folder.glob("*.docx")))
    result: dict[str, Any] = {}
    for pdf in folder.glob("*.pdf"):
        text = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
        pages = [p for p in text.split("\f") if p.strip()]
        item = issued.get(pdf.stem)
        result[pdf.stem] = (item.issue if item else None, item.content if item else schedule, pages)
    previews = os.environ.get("DOCUMENT_PREVIEWS")
    if previews:
        target = ROOT / previews
        target.mkdir(parents=True, exist_ok=True)
        for pdf in folder.glob("*.pdf"):
            _run("pdftoppm", "-png", "-r", "72", "-gray", "-aa", "no", "-aaVector", "no", "-f", "1", "-l", "1",
                 "-singlefile", str(pdf), str(target / pdf.stem))  # small files: grey, no anti-aliasing
    yield result
    if os.environ.get("DOCUMENT_KEEP_PDF"):  # to look at the PDFs themselves
        print(f"documents kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _expected(issue: Issue, getter: Any) -> list[str]:
    """The text(s) a required field's value must appear as."""
    if not isinstance(getter, Ref):
        value = getter(issue)
        if value is True:  # the officers: every name and certificate number
            return [p["certificate_no"] for p in people(issue)] + [p["name"] for p in people(issue)]
        return [str(value)] if isinstance(value, str) and value else []
    value, key = getter(issue), getter.key
    if key in SKIP or isinstance(value, bool) or value in (None, ""):
        return []
    if key in ENUMS:
        return [ENUMS[key][value]]
    if key in LISTS:
        sub = LISTS[key]
        return [AREAS.get(v, v) if sub is None else str(v.get(sub, "")) for v in value]
    if key in ("fine_amount", "outstanding"):
        return [money_figures(value)]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return [f"{date_text(value)}|{date_numerals(value)}"]  # in the body or at the signature
    return [str(value)]


def test_every_document_type_is_issued_by_the_procedures(rendered):
    assert set(DOC_TYPES) <= set(rendered), sorted(set(DOC_TYPES) - set(rendered))


@pytest.mark.parametrize("doc_type", sorted(DOC_TYPES))
def test_rendered_document_is_complete_and_official(rendered, doc_type):
    issue, content, pages = rendered[doc_type]
    assert 1 <= len(pages) <= MAX_PAGES.get(doc_type, 3), len(pages)
    text = "\n".join(pages)
    for pattern, what in FORBIDDEN:
        found = pattern.search(text)
        assert found is None, f"{what}: …{text[max(0, found.start() - 30):found.end() + 30]}…"
    assert _squash(issue.bureau.full_name) in _squash(pages[0]) and _squash(issue.number) in _squash(pages[0])
    footer = _squash(read_docx(io.BytesIO(content)).sections[0].footer.paragraphs[0].text).split("_")[0]
    for number, page in enumerate(pages, start=1):
        assert f"—{number}—" in _squash(page), f"page number on page {number}"
        if doc_type in TRANSCRIPTS:
            assert "签名" in footer and footer in _squash(page), f"signature line on page {number}"
    if doc_type in TRANSCRIPTS - {"collective_discussion"}:  # the party checks and signs
        assert "以上笔录我看过，与我说的相符" in _squash(text)
    # the text as one flow: without the page numbers and footers that fall between the pages
    squashed = re.sub(r"—\d+—", "", _squash(text))
    for paragraph in read_docx(io.BytesIO(content)).sections[0].footer.paragraphs:
        if paragraph.text.strip():
            squashed = squashed.replace(_squash(paragraph.text), "")
    rules = REQUIRED[doc_type] + [(label, get) for label, applies, get in CONDITIONAL.get(doc_type, [])
                                  if applies(issue)]
    for label, getter in rules:
        for value in _expected(issue, getter):
            assert any(_squash(v) in squashed for v in value.split("|")), f"{label}: {value!r} not in the text"


def test_layout_follows_gb_t_9704(rendered):
    issue, content, _pages = rendered["penalty_decision"]
    parsed = read_docx(io.BytesIO(content))
    grid = parsed.sections[0]._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "lines" and grid.get(f"{W}linePitch") == "579"  # 22 lines; see layout.py
    assert grid.get(f"{W}charSpace") == "-849"
    assert parsed.settings.odd_and_even_pages_header_footer
    normal = parsed.styles["Normal"].paragraph_format
    assert normal.space_after == 0 and normal.line_spacing_rule == 4  # exact
    table = next(p for p in parsed.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    assert "方正小标宋简体" in table.blob.decode() and 'w:altName w:val="华文中宋"' in table.blob.decode()
    assert date_numerals(issue.data["decision_date"]) in "\n".join(p.text for p in parsed.paragraphs)


def test_tables_repeat_headers_and_never_split_rows(rendered):
    _issue, content, _pages = rendered["service_receipt"]
    table = read_docx(io.BytesIO(content)).tables[0]
    rows = table._tbl.findall(f"{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    widths = [int(c.get(f"{W}w")) for c in table._tbl.tblGrid.findall(f"{W}gridCol")]
    assert widths[0] < widths[1]  # from the content, not equal


def test_schedule_of_ten_teams_fits_one_landscape_page(rendered):
    _issue, content, pages = rendered["schedule"]
    parsed = read_docx(io.BytesIO(content))
    assert parsed.sections[0].page_width > parsed.sections[0].page_height
    assert len(parsed.tables[0].rows) >= 11 and len(pages) == 1
