"""Assembling a case file: documents converted and counted, front matter written, one PDF and one ZIP.

Runs as a job (a background thread started by the web layer, or inline): each stage reports its progress
through a callback so the page can show it. The result is written under the job's folder.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.casefile.services import frontmatter
from app.casefile.services.contents import Volume, document_title
from app.casefile.services.convert import merge, page_count, to_pdf, to_pdf_cached
from app.casefile.services.manifest import write_zip
from app.errors import N_
from app.extensions import db
from app.workflow.models import Attachment

Progress = Callable[[int, str], None]
ROWS_PER_CATALOGUE_PAGE = 18
SAFE = re.compile(r"[^\w\u4e00-\u9fff〔〕（）.-]+")


@dataclass
class Output:
    """What a build produced."""

    pdf: Path
    zip: Path
    pdf_sha256: str
    zip_sha256: str
    pages: int


def _safe(name: str) -> str:
    return SAFE.sub("_", name)[:120] or "file"


def build(volume: Volume, folder: Path, attachments_dir: Path, profile: Path, compiled_by: str, compiled_on: str,
          progress: Progress) -> Output:
    """Write volume.pdf and casefile.zip (every file + MANIFEST.sha256) into `folder`."""
    work = folder / "work"
    work.mkdir(parents=True, exist_ok=True)
    progress(5, N_("正在准备卷内文书"))
    sources: list[Path] = []
    for index, document in enumerate(volume.documents, start=1):
        path = work / f"{index + 10:03d}_{_safe(document_title(document) + document.number)}.docx"
        path.write_bytes(db.session.get(type(document), document.id).content)
        sources.append(path)
    cover_docx, catalogue_docx = work / "001_案卷封面.docx", work / "002_卷内文件目录.docx"
    evidence_docx, remarks_docx = work / "003_证据及附件清单.docx", work / "999_备考表.docx"
    cover_docx.write_bytes(frontmatter.cover(volume))  # these two do not depend on page numbers:
    evidence_docx.write_bytes(frontmatter.evidence(volume))  # converted together with the documents
    progress(15, N_("正在把文书转换为 PDF（LibreOffice）"))
    converted = to_pdf_cached([*sources, cover_docx, evidence_docx], work / "pdf", profile,
                              profile.with_name("pdf-cache"))
    pdfs, (cover_pdf, evidence_pdf) = converted[:-2], converted[-2:]
    counts = [page_count(p) for p in pdfs]
    progress(60, N_("正在编制封面、卷内目录、证据清单和备考表"))
    front_pages = 1 + 1 + len(volume.documents) // ROWS_PER_CATALOGUE_PAGE  # cover + catalogue, checked below
    for _attempt in range(2):
        entries, page = [], front_pages + 1
        for document, count in zip(volume.documents, counts, strict=True):
            entries.append(frontmatter.entry_for(document, page, count))
            page += count
        catalogue_docx.write_bytes(frontmatter.catalogue(entries))
        remarks_docx.write_bytes(frontmatter.remarks(volume, page - 1, compiled_by, compiled_on))
        progress(75, N_("正在转换封面、目录、证据清单和备考表"))
        catalogue_pdf, remarks_pdf = to_pdf([catalogue_docx, remarks_docx], work / "front", profile)
        front = [cover_pdf, catalogue_pdf, evidence_pdf, remarks_pdf]
        actual = page_count(front[0]) + page_count(front[1])
        if actual == front_pages:
            break
        front_pages = actual  # a longer catalogue than guessed: number the pages again
    progress(85, N_("正在合并为一个 PDF"))
    pdf = folder / "volume.pdf"
    pages = merge([front[0], front[1], *pdfs, front[2], front[3]], pdf, f"{volume.agency} {volume.number} 案卷")
    progress(92, N_("正在打包 ZIP 并计算 SHA-256"))
    files: dict[str, bytes] = {"案卷.pdf": pdf.read_bytes()}
    for source in [cover_docx, catalogue_docx, *sources, evidence_docx, remarks_docx]:
        files[f"文书/{source.name}"] = source.read_bytes()
    for index, (record, _step) in enumerate(volume.attachments, start=1):
        stored = attachments_dir / record.storage_path
        if isinstance(record, Attachment) and stored.exists():
            files[f"证据及附件/{index:03d}_{_safe(record.filename)}"] = stored.read_bytes()
    archive = folder / "casefile.zip"
    zip_sha = write_zip(archive, files)
    return Output(pdf, archive, hashlib.sha256(files["案卷.pdf"]).hexdigest(), zip_sha, pages)
