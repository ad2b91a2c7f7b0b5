"""Files uploaded with task forms: stored on disk by SHA-256, recorded in the database, never in task data."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from app.auth.models import User
from app.errors import N_, ValidationFailed
from app.extensions import db
from app.workflow.models import Attachment

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
CHUNK = 1024 * 1024


def store(storage_dir: Path, *, actor: User, case_id: int | None, task_id: int | None, field: str,
          filename: str, content_type: str, stream: BinaryIO) -> Attachment:
    """Hash while copying to a temporary file, then move it into place under its hash."""
    storage_dir.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temp_name = tempfile.mkstemp(dir=storage_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_ATTACHMENT_BYTES:
                    raise ValidationFailed({field: [N_("文件超过 50 MB 的上限。")]})
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = storage_dir / sha[:2] / sha
        target.parent.mkdir(exist_ok=True)
        os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    safe_name = os.path.basename(filename.replace("\\", "/"))[:255] or "file"
    attachment = Attachment(case_id=case_id, task_id=task_id, field=field, filename=safe_name,
                            content_type=(content_type or "application/octet-stream")[:100], size=size,
                            sha256=sha, storage_path=f"{sha[:2]}/{sha}", uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def get(attachment_id: int) -> Attachment | None:
    """The attachment record."""
    return db.session.get(Attachment, attachment_id)
