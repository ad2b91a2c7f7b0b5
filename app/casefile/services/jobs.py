"""Case-file jobs: a CaseFile row tracks one build; the runner commits its progress so a page can poll it.

`request_case_file` adds the row in the caller's transaction. `run_job` is the job itself (a worker thread or
inline): it owns its own commits, one per stage, like the timer worker owns its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from app.audit.services import record_event
from app.auth.models import User
from app.casefile.models import CaseFile
from app.casefile.services.build import build
from app.casefile.services.contents import plan
from app.clock import to_local, utcnow
from app.errors import N_, DomainError, NotFound
from app.extensions import db
from app.workflow.models import Case


def request_case_file(actor: User, case: Case) -> CaseFile:
    """A queued build for this case (flushed, not committed)."""
    record = CaseFile(case_id=case.id, status="queued", progress=0, stage=N_("排队等待生成"),
                      requested_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    record.folder = f"{case.id}/{record.id}"
    record_event("casefile.requested", actor=actor, object_type="case", object_id=case.id,
                 details={"case_file_id": record.id})
    return record


def get_case_file(case_file_id: int) -> CaseFile:
    """The job row or NotFound."""
    record = db.session.get(CaseFile, case_file_id)
    if record is None:
        raise NotFound(N_("案卷不存在。"))
    return record


def latest_case_file(case_id: int) -> CaseFile | None:
    """The newest build of this case."""
    return db.session.scalar(select(CaseFile).where(CaseFile.case_id == case_id).order_by(CaseFile.id.desc()))


def _update(record: CaseFile, **values: object) -> None:
    for key, value in values.items():
        setattr(record, key, value)
    db.session.commit()


def run_job(case_file_id: int, root: Path, attachments_dir: Path) -> CaseFile:
    """Build the case file, committing status and progress as it goes; failures are recorded, not raised."""
    record = get_case_file(case_file_id)
    case = db.session.get(Case, record.case_id)
    requester = db.session.get(User, record.requested_by_id) if record.requested_by_id else None
    folder = root / record.folder
    _update(record, status="running", progress=1, stage=N_("正在准备卷内文书"))
    try:
        volume = plan(case)
        output = build(volume, folder, attachments_dir, root / "libreoffice-profile",
                       requester.full_name if requester else "—", to_local(utcnow()).strftime("%Y年%m月%d日"),
                       lambda percent, stage: _update(record, progress=percent, stage=stage))
    except (DomainError, OSError, ValueError) as exc:
        db.session.rollback()
        record = get_case_file(case_file_id)
        _update(record, status="failed", error=str(exc)[:2000], stage=N_("生成失败"), finished_at=utcnow())
        return record
    shutil.rmtree(folder / "work", ignore_errors=True)
    _update(record, status="done", progress=100, stage=N_("已生成"), pdf_sha256=output.pdf_sha256,
            zip_sha256=output.zip_sha256, pages=output.pages, finished_at=utcnow())
    return record
