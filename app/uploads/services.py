"""Resumable uploads: create, append a chunk (hashing on the way), finish into an attachment, cancel.

SHA-256 on the way: Python's hashlib state cannot be saved, so each process keeps the running hash of the uploads
it is receiving in memory (`_HASHERS`, keyed by upload id, with the offset it covers). When a chunk arrives at a
process that does not hold that state (after a restart, or at another gunicorn process) the stored prefix is read
once and re-hashed, then appending goes on. Memory stays flat: bytes move in 1 MB pieces.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from typing import Any, BinaryIO

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.clock import utcnow
from app.errors import N_, Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.recording import services as recording
from app.uploads.models import Upload
from app.uploads.storage import Storage
from app.workflow.models import Attachment, Task
from app.workflow.services.cases import may_act
from app.workflow.services.forms import widget

PIECE = 1024 * 1024
_HASHERS: dict[str, tuple[int, Any]] = {}
_LOCK = threading.Lock()


class TooLarge(DomainError):
    """The declared length is above the configured limit."""


def _file_fields(task: Task) -> set[str]:
    definition = task.case.definition
    item = recording.item_for(task.case.bureau_id, definition.process_id, task.element_id)
    schema = recording.with_recording(definition.forms.get(task.form_key or "", {}), item) or {}
    return {name for name, prop in schema.get("properties", {}).items()
            if widget(schema, name, prop) in ("file", "files")}


def create(actor: User, task_id: int, field: str, filename: str, content_type: str, length: int,
           max_bytes: int) -> Upload:
    """Start an upload for one file field of a task the actor may do (caller commits)."""
    task = db.session.get(Task, task_id)
    if task is None:
        raise NotFound(N_("任务不存在。"))
    if task.state != "ready" or not may_act(actor, task):
        raise PermissionDenied(N_("您不是此任务的办理人。"))
    if field not in _file_fields(task):
        raise ValidationFailed({"field": [N_("此任务没有这个上传项。")]})
    if length < 0:
        raise ValidationFailed({"length": [N_("文件大小无效。")]})
    if length > max_bytes:
        raise TooLarge(N_("文件超过 %(limit)s 的上限。"), limit=human_size(max_bytes))
    safe_name = os.path.basename((filename or "file").replace("\\", "/"))[:255] or "file"
    upload = Upload(id=secrets.token_hex(16), user_id=actor.id, task_id=task.id, field=field, filename=safe_name,
                    content_type=(content_type or "application/octet-stream")[:100], length=length, offset=0,
                    status="uploading", created_at=utcnow(), updated_at=utcnow())
    db.session.add(upload)
    db.session.flush()
    return upload


def get_for(actor: User, upload_id: str, lock: bool = False) -> Upload:
    """The actor's own upload (others' uploads do not exist for them)."""
    query = select(Upload).where(Upload.id == upload_id)
    if lock and db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    upload = db.session.scalar(query)
    if upload is None or upload.user_id != actor.id or upload.status == "cancelled":
        raise NotFound(N_("上传不存在。"))
    return upload


def _hasher_at(storage: Storage, upload: Upload) -> Any:
    """The running SHA-256 of the first `upload.offset` bytes (from memory, else re-read from storage)."""
    with _LOCK:
        held = _HASHERS.pop(upload.id, None)
    if held is not None and held[0] == upload.offset:
        return held[1]
    digest = hashlib.sha256()
    remaining = upload.offset
    if remaining:
        with storage.read_prefix(upload.id, remaining) as stream:
            while remaining and (piece := stream.read(min(PIECE, remaining))):
                digest.update(piece)
                remaining -= len(piece)
    if remaining:
        raise Conflict(N_("已上传的部分缺失，请重新上传。"))
    return digest


def append(actor: User, upload_id: str, offset: int, stream: BinaryIO, storage: Storage,
           content_length: int | None) -> Upload:
    """Write one chunk at `offset` (which must equal what was received); finish the upload when complete."""
    upload = get_for(actor, upload_id, lock=True)
    if upload.status != "uploading":
        raise Conflict(N_("此上传已完成。"))
    if offset != upload.offset:
        raise Conflict(N_("上传位置不一致，请从 %(offset)s 字节处继续。"), offset=upload.offset)
    if content_length is not None and upload.offset + content_length > upload.length:
        raise ValidationFailed({"length": [N_("数据超过了声明的文件大小。")]})
    digest = _hasher_at(storage, upload)
    written = 0
    with storage.open_at(upload.id, upload.offset) as out:
        limit = upload.length - upload.offset
        while written < limit and (piece := stream.read(min(PIECE, limit - written))):
            out.write(piece)
            digest.update(piece)
            written += len(piece)
    upload.offset += written
    upload.updated_at = utcnow()
    if upload.offset == upload.length:
        _finish(actor, upload, digest.hexdigest(), storage)
    else:
        with _LOCK:
            _HASHERS[upload.id] = (upload.offset, digest)
    db.session.flush()
    return upload


def _finish(actor: User, upload: Upload, sha256: str, storage: Storage) -> None:
    """The complete file becomes an attachment of the task's case, found by its SHA-256."""
    relative = storage.finish(upload.id, sha256)
    task = db.session.get(Task, upload.task_id)
    assert task is not None
    attachment = Attachment(case_id=task.case_id, task_id=task.id, field=upload.field, filename=upload.filename,
                            content_type=upload.content_type, size=upload.length, sha256=sha256,
                            storage_path=relative, uploaded_by_id=actor.id, uploaded_at=utcnow())
    db.session.add(attachment)
    db.session.flush()
    upload.status, upload.attachment_id = "complete", attachment.id
    record_event("upload.completed", actor=actor, object_type="case", object_id=task.case_id,
                 details={"task_id": task.id, "field": upload.field, "filename": upload.filename,
                          "size": upload.length, "sha256": sha256, "attachment_id": attachment.id})


def cancel(actor: User, upload_id: str, storage: Storage) -> None:
    """Stop an upload and delete what arrived (tus termination)."""
    upload = get_for(actor, upload_id, lock=True)
    if upload.status == "complete":
        raise Conflict(N_("此上传已完成，不能取消。"))
    upload.status, upload.updated_at = "cancelled", utcnow()
    with _LOCK:
        _HASHERS.pop(upload.id, None)
    storage.discard(upload.id)
    db.session.flush()


def human_size(size: int) -> str:
    """1.5 GB, 300 MB, 12 KB."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit in ("B", "KB") or value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
