"""Word → PDF with LibreOffice (`soffice --headless --convert-to pdf`), page counts and merging with pypdf.

pypdf (pure Python, BSD) merges the converted files into one volume and counts pages; LibreOffice is the only
converter that renders our .docx (East-Asian fonts, tables, page footers) faithfully on a Debian server.
One conversion runs at a time per profile folder (LibreOffice's profile is not safe to share concurrently); a
long list is split over PARALLEL profiles converting at once (each LibreOffice start costs about 2 s of CPU, so
only lists longer than PARALLEL_FROM are split). Converted documents are kept by the SHA-256 of their .docx, so a
case file built again (another request, one more document) converts only what is new.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from app.errors import N_, DomainError

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
TIMEOUT_SECONDS = 300
PARALLEL = 2  # LibreOffice processes converting one list at once
PARALLEL_FROM = 6  # documents; below this one process is quicker than paying for a second start


def _lock_for(profile: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(str(profile.resolve()), threading.Lock())


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
    with _lock_for(profile):
        result = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)  # noqa: S603
    targets = [out_dir / (s.stem + ".pdf") for s in sources]
    missing = [t.name for t in targets if not t.exists()]
    if result.returncode != 0 or missing:
        raise ConversionFailed(N_("文书转换为 PDF 失败：%(files)s"), files="、".join(missing) or "—")
    return targets


def to_pdf_cached(sources: list[Path], out_dir: Path, profile: Path, cache: Path) -> list[Path]:
    """Like `to_pdf`, reusing earlier conversions of identical .docx files (kept in `cache` by SHA-256) and
    converting the rest in up to PARALLEL LibreOffice processes at once."""
    cache.mkdir(parents=True, exist_ok=True)
    digests = [hashlib.sha256(source.read_bytes()).hexdigest() for source in sources]
    targets = [out_dir / (source.stem + ".pdf") for source in sources]
    out_dir.mkdir(parents=True, exist_ok=True)
    missing = [(source, digest) for source, digest in zip(sources, digests, strict=True)
               if not (cache / f"{digest}.pdf").exists()]
    if missing:
        parts = PARALLEL if len(missing) >= PARALLEL_FROM else 1
        chunks = [missing[k::parts] for k in range(parts)]
        profiles = [profile if k == 0 else profile.with_name(f"{profile.name}-{k + 1}") for k in range(parts)]
        with ThreadPoolExecutor(max_workers=parts) as pool:
            done = list(pool.map(lambda k: to_pdf([s for s, _d in chunks[k]], out_dir / f"part{k}", profiles[k]),
                                 range(parts)))
        for chunk, pdfs in zip(chunks, done, strict=True):
            for (_source, digest), pdf in zip(chunk, pdfs, strict=True):
                partial = cache / f"{digest}.pdf.part"
                shutil.copyfile(pdf, partial)
                partial.replace(cache / f"{digest}.pdf")  # whole files only, even with two builds at once
    for digest, target in zip(digests, targets, strict=True):
        shutil.copyfile(cache / f"{digest}.pdf", target)
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
