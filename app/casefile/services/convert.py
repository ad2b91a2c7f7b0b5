"""Word → PDF with LibreOffice (`soffice --headless --convert-to pdf`), page counts and merging with pypdf.

pypdf (pure Python, BSD) merges the converted files into one volume and counts pages; LibreOffice is the only
converter that renders our .docx (East-Asian fonts, tables, page footers) faithfully on a Debian server.
One conversion runs at a time per process (LibreOffice's profile folder is not safe to share concurrently).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from app.errors import N_, DomainError

_LOCK = threading.Lock()
TIMEOUT_SECONDS = 300


class ConversionFailed(DomainError):
    """LibreOffice could not convert a file."""


def soffice() -> str:
    """The LibreOffice binary, or ConversionFailed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionFailed(N_("服务器未安装 LibreOffice，无法生成 PDF。"))
    return found


def to_pdf(sources: list[Path], out_dir: Path, profile: Path) -> list[Path]:
    """Convert .docx files to PDF in one LibreOffice run; returns the PDFs in the same order."""
    if not sources:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, sources)]
    with _LOCK:
        result = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)  # noqa: S603
    targets = [out_dir / (s.stem + ".pdf") for s in sources]
    missing = [t.name for t in targets if not t.exists()]
    if result.returncode != 0 or missing:
        raise ConversionFailed(N_("文书转换为 PDF 失败：%(files)s"), files="、".join(missing) or "—")
    return targets


def page_count(pdf: Path) -> int:
    """Pages of a PDF."""
    return len(PdfReader(str(pdf)).pages)


def merge(parts: list[Path], target: Path, title: str) -> int:
    """One PDF of the parts in order, with an outline entry per part; returns the page count."""
    writer = PdfWriter()
    for part in parts:
        writer.append(str(part), outline_item=part.stem.split("_", 1)[-1])
    writer.add_metadata({"/Title": title})
    with target.open("wb") as out:
        writer.write(out)
    return len(writer.pages)
