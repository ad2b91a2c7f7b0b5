"""Where upload bytes go: one small interface, a local folder by default.

An S3-compatible object store fits the same interface (partial uploads as multipart uploads, `finish` as
CompleteMultipartUpload + copy to the content-addressed key); it is documented in docs/operations.md but not
implemented here, because no S3 server can run in this project's test environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Protocol


class Storage(Protocol):
    """Partial uploads addressed by upload id; finished files addressed by their SHA-256."""

    def size(self, upload_id: str) -> int:
        """Bytes stored so far for this partial upload (0 when none)."""

    def open_at(self, upload_id: str, offset: int) -> BinaryIO:
        """A binary file positioned at `offset`, anything after it discarded (a cut-off chunk)."""

    def read_prefix(self, upload_id: str, length: int) -> BinaryIO:
        """The first bytes of the partial upload, to re-hash after a restart."""

    def finish(self, upload_id: str, sha256: str) -> str:
        """Move the complete upload under its hash; return the path relative to the attachments folder."""

    def discard(self, upload_id: str) -> None:
        """Delete a partial upload."""


class LocalStorage:
    """`<FILES_DIR>/uploads/<id>.part` while uploading; `<FILES_DIR>/attachments/<sha[:2]>/<sha>` when complete."""

    def __init__(self, files_dir: Path) -> None:
        self.partial = files_dir / "uploads"
        self.final = files_dir / "attachments"

    def _path(self, upload_id: str) -> Path:
        if not upload_id.isalnum():
            raise ValueError("bad upload id")
        return self.partial / f"{upload_id}.part"

    def size(self, upload_id: str) -> int:
        """Bytes stored so far."""
        path = self._path(upload_id)
        return path.stat().st_size if path.exists() else 0

    def open_at(self, upload_id: str, offset: int) -> BinaryIO:
        """Open for writing at `offset` (truncating a cut-off tail)."""
        self.partial.mkdir(parents=True, exist_ok=True)
        path = self._path(upload_id)
        handle = open(path, "r+b" if path.exists() else "w+b")  # noqa: SIM115 - the caller closes it
        handle.truncate(offset)
        handle.seek(offset)
        return handle

    def read_prefix(self, upload_id: str, length: int) -> BinaryIO:
        """Open the partial file for reading from the start."""
        return open(self._path(upload_id), "rb")  # noqa: SIM115 - the caller closes it

    def finish(self, upload_id: str, sha256: str) -> str:
        """Rename into the content-addressed attachments folder (same file system: no copy)."""
        relative = f"{sha256[:2]}/{sha256}"
        target = self.final / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._path(upload_id), target)
        return relative

    def discard(self, upload_id: str) -> None:
        """Remove the partial file if any."""
        self._path(upload_id).unlink(missing_ok=True)
