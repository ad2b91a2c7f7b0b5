"""Reading an uploaded .xlsx or .csv (UTF-8 or GBK) into header → text rows, refusing what cannot be trusted."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.errors import N_, DomainError
from app.spreadsheets import unescape_cell

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # what openpyxl may inflate; a 1.6 MB file once unzipped to 402 MB
MAX_ZIP_ENTRIES = 2000


class ImportRejected(DomainError):
    """A file that cannot be imported at all; nothing is written."""


@dataclass(frozen=True)
class Table:
    """Header texts and data rows (spreadsheet row number, cell texts)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, data: bytes) -> Table:
    """Parse the file; ImportRejected with a precise reason for anything unusable."""
    if len(data) > MAX_BYTES:
        raise ImportRejected(N_("文件超过 10 MB 的上限，请拆分后分批导入。"))
    if not data:
        raise ImportRejected(N_("文件是空的。"))
    lowered = filename.lower()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lowered.endswith(".xls"):
        raise ImportRejected(N_("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。"))
    if lowered.endswith(".csv") or lowered.endswith(".txt"):
        return _read_csv(data)
    raise ImportRejected(N_("这不是电子表格文件：请上传 .xlsx 或 .csv 文件。"))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ImportRejected(N_("无法识别文件编码：CSV 文件请使用 UTF-8 或 GBK 编码保存。"))


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportRejected(N_("CSV 格式错误：%(detail)s"), detail=str(exc)) from exc
    return _table(lines, start_row=1)


def check_xlsx_size(data: bytes) -> None:
    """Before any parsing: the zip directory's uncompressed sizes and the first sheet's row count within limits.

    Python's zipfile never inflates an entry past its declared size (a lie fails the CRC), so checking the
    declared sizes bounds what the parser can be made to read.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportRejected(N_("无法读取此 Excel 文件，文件可能已损坏或不是 .xlsx 格式。")) from exc
    total = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ZIP_ENTRIES or total > MAX_UNCOMPRESSED:
        raise ImportRejected(N_("此 Excel 文件解压后超过 %(mb)s MB 的上限（解压后 %(actual)s MB），请拆分后分批导入。"),
                             mb=MAX_UNCOMPRESSED // (1024 * 1024), actual=total // (1024 * 1024))
    sheets = sorted(e.filename for e in entries if e.filename.startswith("xl/worksheets/") and
                    e.filename.endswith(".xml"))
    if not sheets:
        return
    rows = 0
    try:
        with archive.open(sheets[0]) as sheet:
            tail = b""
            while chunk := sheet.read(1 << 20):
                block = tail + chunk
                rows += block.count(b"<row ") + block.count(b"<row>") - tail.count(b"<row ") - tail.count(b"<row>")
                tail = block[-5:]
                if rows > MAX_ROWS + 1:
                    raise ImportRejected(N_("行数超过 %(max)s 行的上限，请拆分后分批导入。"), max=MAX_ROWS)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportRejected(N_("无法读取此 Excel 文件，文件可能已损坏或不是 .xlsx 格式。")) from exc


def _read_xlsx(data: bytes) -> Table:
    check_xlsx_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportRejected(N_("无法读取此 Excel 文件，文件可能已损坏或不是 .xlsx 格式。")) from exc
    sheet = workbook.worksheets[0]
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == 1:
            raise ImportRejected(N_("表头行（第 1 行）有合并单元格 %(cells)s，请取消合并。"), cells=str(merged))
        raise ImportRejected(N_("第 %(row)s 行有合并单元格 %(cells)s，请取消合并后再导入。"),
                             row=merged.min_row, cells=str(merged))
    lines: list[list[str]] = []
    for row in sheet.iter_rows():
        texts = []
        for cell in row:
            if cell.data_type == "f":
                raise ImportRejected(N_("单元格 %(cell)s 是公式，请先复制并“粘贴为数值”再导入。"), cell=cell.coordinate)
            texts.append(_cell_text(cell.value))
        lines.append(texts)
        if len(lines) > MAX_ROWS + 1:
            raise ImportRejected(N_("行数超过 %(max)s 行的上限，请拆分后分批导入。"), max=MAX_ROWS)
    return _table(lines, start_row=1)


def _table(lines: list[list[str]], start_row: int) -> Table:
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise ImportRejected(N_("第 1 行是空的：请把表头放在第 1 行（可下载模板对照）。"))
    headers = [cell.strip() for cell in lines[0]]
    while headers and headers[-1] == "":
        headers.pop()
    if "" in headers:
        raise ImportRejected(N_("表头第 %(column)s 列是空的。"), column=headers.index("") + 1)
    rows = []
    for offset, line in enumerate(lines[1:], start=start_row + 1):
        cells = [unescape_cell(c.strip()) for c in line[: len(headers)]] + [""] * max(0, len(headers) - len(line))
        if any(cells):
            rows.append((offset, cells))
    if len(rows) > MAX_ROWS:
        raise ImportRejected(N_("行数超过 %(max)s 行的上限，请拆分后分批导入。"), max=MAX_ROWS)
    return Table(headers, rows)
