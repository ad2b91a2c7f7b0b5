"""The tus 1.0 endpoint (core, creation, termination) under /uploads/, used by Uppy on task pages.

OPTIONS /uploads/ → capabilities; POST /uploads/ (Upload-Length, Upload-Metadata: task_id, field, filename,
filetype) → 201 + Location; HEAD /uploads/<id> → Upload-Offset; PATCH /uploads/<id> (application/offset+octet-stream,
Upload-Offset) → 204 + new Upload-Offset; DELETE /uploads/<id> → 204. A finished upload answers with the header
`Upload-Attachment-Id`, which the page puts into the form. CSRF: the X-CSRFToken header, as for any POST.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from app.access import signed_in
from app.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.uploads import services
from app.uploads.storage import LocalStorage
from app.web_helpers import translate

bp = Blueprint("uploads", __name__, url_prefix="/uploads")
TUS_VERSION = "1.0.0"


def _storage() -> LocalStorage:
    return LocalStorage(Path(current_app.config["FILES_DIR"]))


def _tus(status: int, body: str = "", **headers: Any) -> Response:
    response = Response(body, status=status, mimetype="text/plain")
    response.headers["Tus-Resumable"] = TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = str(value)
    return response


def _metadata(raw: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64value` pairs."""
    values: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        key, _sep, encoded = pair.partition(" ")
        try:
            values[key] = base64.b64decode(encoded).decode("utf-8") if encoded else ""
        except (ValueError, UnicodeDecodeError):
            values[key] = ""
    return values


def _error(exc: DomainError) -> Response:
    db.session.rollback()
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else \
        413 if isinstance(exc, services.TooLarge) else 409 if isinstance(exc, Conflict) else 400
    message = translate(exc)
    if isinstance(exc, ValidationFailed):
        message = "；".join(_(m) for messages in exc.errors.values() for m in messages) or message
    return _tus(status, message)


@bp.route("/", methods=["OPTIONS", "POST"], provide_automatic_options=False)
@signed_in
def collection() -> Any:
    """Capabilities (OPTIONS) and creating an upload (POST)."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if request.method == "OPTIONS":
        return _tus(204, Tus_Version=TUS_VERSION, Tus_Extension="creation,termination", Tus_Max_Size=limit)
    length = request.headers.get("Upload-Length", "")
    if not length.isdigit():
        return _tus(400, _("缺少文件大小（Upload-Length）。"))
    meta = _metadata(request.headers.get("Upload-Metadata", ""))
    task_id = int(meta["task_id"]) if meta.get("task_id", "").isdigit() else 0
    try:
        upload = services.create(current_user, task_id, meta.get("field", ""), meta.get("filename", ""),
                                 meta.get("filetype", ""), int(length), limit)
        db.session.commit()
    except DomainError as exc:
        return _error(exc)
    return _tus(201, Location=f"{request.host_url.rstrip('/')}/uploads/{upload.id}", Upload_Offset=0)


@bp.route("/<upload_id>", methods=["HEAD", "PATCH", "DELETE"])
@signed_in
def item(upload_id: str) -> Any:
    """Where an upload stands (HEAD), the next chunk (PATCH), cancelling it (DELETE)."""
    storage = _storage()
    try:
        if request.method == "HEAD":
            upload = services.get_for(current_user, upload_id)
            extra = {"Upload_Attachment_Id": upload.attachment_id} if upload.attachment_id else {}
            return _tus(200, Upload_Offset=upload.offset, Upload_Length=upload.length, **extra)
        if request.method == "DELETE":
            services.cancel(current_user, upload_id, storage)
            db.session.commit()
            return _tus(204)
        if request.mimetype != "application/offset+octet-stream":
            return _tus(415, _("上传数据的类型不正确。"))
        offset = request.headers.get("Upload-Offset", "")
        if not offset.isdigit():
            return _tus(400, _("缺少上传位置（Upload-Offset）。"))
        upload = services.append(current_user, upload_id, int(offset), request.stream, storage,
                                 request.content_length)
        db.session.commit()
    except DomainError as exc:
        return _error(exc)
    extra = {"Upload_Attachment_Id": upload.attachment_id} if upload.attachment_id else {}
    return _tus(204, Upload_Offset=upload.offset, **extra)


def init_app(app: Any) -> None:
    """Templates: `size|filesize` → "4 GB"."""
    app.add_template_filter(services.human_size, "filesize")
