"""Files uploaded with task forms: stored on disk by SHA-256, recorded in the database, never in task data.

A file chosen in a form is first kept as a *pending* upload of that task and that person (committed on its
own), so it survives "添加一行" and a refused submission and is shown as already attached. Completing the
task claims the pending uploads it names; ids of other cases, other tasks' or other people's pending files
are refused. The worker removes pending uploads never submitted (or removed in the form) and files no record
refers to.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.clock import utcnow
from app.errors import N_, ValidationFailed
from app.extensions import db
from app.workflow.models import Attachment, Task
from app.workflow.services.forms import field_order, widget

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
CHUNK = 1024 * 1024
PENDING_LIFETIME = timedelta(days=2)


def store(storage_dir: Path, *, actor: User, case_id: int | None, task_id: int | None, field: str,
          filename: str, content_type: str, stream: BinaryIO, pending: bool = False) -> Attachment:
    """Hash while copying to a temporary file, then move it into place under its hash."""
    storage_dir.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temp_name = tempfile.mkstemp(dir=storage_dir, prefix=".upload-")
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
        if not target.exists():  # a new file: removed again if this transaction does not commit
            db.session.info.setdefault("new_files", []).append(target)
        os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    safe_name = os.path.basename(filename.replace("\\", "/"))[:255] or "file"
    attachment = Attachment(case_id=case_id, task_id=task_id, field=field, filename=safe_name,
                            content_type=(content_type or "application/octet-stream")[:100], size=size,
                            sha256=sha, storage_path=f"{sha[:2]}/{sha}", uploaded_by_id=actor.id, pending=pending)
    db.session.add(attachment)
    db.session.flush()
    return attachment


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop("new_files", None)


@event.listens_for(Session, "after_rollback")
def _drop_new_files(session: Session) -> None:
    """Files written for a transaction that rolled back are not kept (no record will ever refer to them)."""
    for path in session.info.pop("new_files", []):
        Path(path).unlink(missing_ok=True)


def get(attachment_id: int) -> Attachment | None:
    """The attachment record."""
    return db.session.get(Attachment, attachment_id) if 0 < attachment_id < 2**31 else None


def for_task(attachment_id: int, task: Task, actor: User) -> Attachment | None:
    """The attachment when this task's form may show it: of this case, and if pending, this task's and person's."""
    record = get(attachment_id)
    if record is None or record.case_id != task.case_id:
        return None
    if record.pending and (record.task_id != task.id or record.uploaded_by_id != actor.id):
        return None
    return record


def _file_fields(schema: dict[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    return [n for n in field_order(schema) if widget(schema, n, properties[n]) in ("file", "files")]


def claim(actor: User, task: Task, schema: dict[str, Any] | None, data: dict[str, Any]) -> None:
    """Check every attachment id the submission names and attach the pending uploads it names (caller commits).

    Refused: ids of another case, and pending uploads of another task or person. Pending uploads the person
    removed in the form stay pending and unreferenced; the worker deletes them (no query on every submit).
    """
    errors: dict[str, list[str]] = {}
    for name in _file_fields(schema or {}):
        value = data.get(name)
        ids = value if isinstance(value, list) else ([value] if value is not None else [])
        for attachment_id in ids:
            record = for_task(attachment_id, task, actor) if isinstance(attachment_id, int) else None
            if record is None:
                errors[name] = [N_("附件不属于本案件，不能引用。")]
            elif record.pending:
                record.pending = False
    if errors:
        raise ValidationFailed(errors)


def remove_stale(storage_dir: Path, *, older_than: timedelta = PENDING_LIFETIME, orphan_grace: float = 3600) -> int:
    """Delete pending uploads never submitted, and files on disk no record refers to (the worker; caller commits)."""
    cutoff = utcnow() - older_than
    removed = db.session.execute(delete(Attachment).where(Attachment.pending.is_(True),
                                                          Attachment.uploaded_at < cutoff)).rowcount or 0
    db.session.flush()
    if not storage_dir.is_dir():
        return removed
    referenced = set(db.session.scalars(select(Attachment.storage_path)))
    now = time.time()
    for path in storage_dir.glob("*/*"):
        relative = f"{path.parent.name}/{path.name}"
        if path.is_file() and relative not in referenced and now - path.stat().st_mtime > orphan_grace:
            path.unlink(missing_ok=True)
            removed += 1
    for path in storage_dir.glob(".upload-*"):  # a temporary file of a request that died mid-copy
        if now - path.stat().st_mtime > orphan_grace:
            path.unlink(missing_ok=True)
    return removed
