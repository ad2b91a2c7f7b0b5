"""The case file's own pages: 案卷封面, 卷内文件目录, 证据及附件清单, 备考表 (official layout, .docx)."""

from __future__ import annotations

from dataclasses import dataclass

from app.casefile.services.contents import Volume, document_title
from app.clock import to_local
from app.documents.services.layout import add_heading, add_table, add_text, add_title, official_document, to_bytes


@dataclass
class Entry:
    """One line of the catalogue: where a document starts in the volume and how many pages it has."""

    title: str
    number: str
    day: str
    first_page: int
    pages: int


def _cn_date(day: object) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"  # type: ignore[attr-defined]


def cover(volume: Volume) -> bytes:
    """案卷封面."""
    document = official_document()
    add_title(document, volume.agency)
    add_title(document, "行政执法案卷")
    rows = [("案卷编号", volume.number), ("当事人", volume.party), ("案由", volume.cause),
            ("立卷起止日期", f"{_cn_date(volume.started)}至{_cn_date(volume.finished)}"),
            ("处理结果", volume.outcome), ("保管期限", volume.retention),
            ("卷内文件", f"{len(volume.documents)} 件"), ("证据及附件", f"{len(volume.attachments)} 件")]
    add_table(document, ("项目", "内容"), rows, size=14)
    return to_bytes(document)


def catalogue(entries: list[Entry]) -> bytes:
    """卷内文件目录: number, title, 文号, date, pages."""
    document = official_document()
    add_title(document, "卷内文件目录")
    rows = [(str(i), e.title, e.number, e.day,
             f"{e.first_page}" if e.pages == 1 else f"{e.first_page}–{e.first_page + e.pages - 1}")
            for i, e in enumerate(entries, start=1)]
    add_table(document, ("序号", "文件题名", "文号", "日期", "页号"), rows)
    return to_bytes(document)


def evidence(volume: Volume) -> bytes:
    """证据及附件清单 with each file's SHA-256."""
    document = official_document()
    add_title(document, "证据及附件清单")
    rows = [(str(i), a.filename, step or "—", to_local(a.uploaded_at).strftime("%Y-%m-%d"), f"{a.size:,} 字节",
             a.sha256) for i, (a, step) in enumerate(volume.attachments, start=1)]
    if not rows:
        add_text(document, "本案无上传的证据或附件。")
    else:
        add_table(document, ("序号", "名称", "提交环节", "日期", "大小", "SHA-256"), rows, size=9)
    return to_bytes(document)


def remarks(volume: Volume, pages: int, compiled_by: str, compiled_on: str) -> bytes:
    """备考表: what the volume holds, who compiled it, when."""
    document = official_document()
    add_title(document, "备考表")
    add_heading(document, "本卷情况说明")
    add_text(document, f"本卷共有文件 {len(volume.documents)} 件，共 {pages} 页；"
                       f"证据及附件 {len(volume.attachments)} 件，电子文件随卷保存，"
                       "其 SHA-256 值见证据及附件清单和清单文件 MANIFEST.sha256。")
    add_text(document, f"立卷人：{compiled_by}", indent=False)
    add_text(document, "检查人：", indent=False)
    add_text(document, f"立卷时间：{compiled_on}", indent=False)
    return to_bytes(document)


def entry_for(document: object, first_page: int, pages: int) -> Entry:
    """A catalogue line for a bound document."""
    return Entry(document_title(document), document.number,  # type: ignore[arg-type, attr-defined]
                 to_local(document.created_at).strftime("%Y-%m-%d"), first_page, pages)  # type: ignore[attr-defined]
