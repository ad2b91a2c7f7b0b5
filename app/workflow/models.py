"""Process definitions (versioned), cases (one workflow instance each), the human-task index, attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db
from app.models_base import BigIntPK


class ProcessDefinition(db.Model):
    """One version of a process: its BPMN/DMN files and the forms they use, frozen by a content hash."""

    __tablename__ = "process_definition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    files: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)  # large; read on a spec-cache miss
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | published | retired
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The bureau that published this version (None: the repository's standard procedures, shared by all).
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureau.id"), index=True)

    # Drafts: the version it was copied from, and an edit counter for optimistic concurrency (each save +1)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __table_args__ = (
        UniqueConstraint("process_id", "version", name="uq_process_definition_process_version"),
        Index("ix_process_definition_status", "process_id", "status"),
    )


class Case(BureauOwned, db.Model):
    """One workflow instance pinned to the definition version it started on."""

    __tablename__ = "workflow_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    subject: Mapped[str] = mapped_column(String(200))
    party: Mapped[str | None] = mapped_column(String(200))  # the party or inspected unit, for case lists
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | completed | error
    state: Mapped[str] = mapped_column(Text)  # serialized workflow without its spec
    serializer_version: Mapped[str] = mapped_column(String(16))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A trial case runs a draft before publishing: out of inboxes (but its starter's), statistics and real numbering.
    trial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    trial_hash: Mapped[str | None] = mapped_column(String(64))  # the draft content the trial started on

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        Index("ix_workflow_case_created", "created_at", "id"),
        Index("ix_workflow_case_status_created", "status", "created_at", "id"),
        Index("ix_workflow_case_definition", "definition_id", "created_at"),
        Index("ix_workflow_case_party", "party"),
        Index("ix_workflow_case_subject", "subject"),
        Index("ix_workflow_case_updated", "updated_at", "id"),
        # "not a trial case" (statistics): the few trial cases, without reading every case
        Index("ix_workflow_case_trial", "id", postgresql_where=text("trial IS true"), sqlite_where=text("trial IS 1")),
    )


class Task(BureauOwned, db.Model):
    """The index of human tasks: inboxes and lists read this, never a deserialized workflow."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("workflow_case.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    form_key: Mapped[str | None] = mapped_column(String(100))
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)  # only named users may act
    state: Mapped[str] = mapped_column(String(16), default="ready")  # ready | completed | cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_at: Mapped[datetime | None] = mapped_column(DateTime)

    case: Mapped[Case] = relationship()
    completed_by: Mapped[User | None] = relationship()
    assignees: Mapped[list[TaskAssignee]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        UniqueConstraint("case_id", "spiff_task_id", name="uq_task_case_spiff_task"),
        Index("ix_task_inbox", "state", "role", "due_at", "id"),
        Index("ix_task_case", "case_id", "state"),
        # open tasks by due time; role, bureau and name too so statistics (overdue per office, open step per case)
        # read only the index
        Index("ix_task_open_due", "state", "due_at", "case_id", "role", "bureau_id", "name"),
        Index("ix_task_completed_by", "completed_by_id", "case_id"),
        # throughput and lateness per office and person over a period (statistics): an index-only scan
        Index("ix_task_completed", "completed_at", "bureau_id", "role", "completed_by_id", "due_at"),
        Index("ix_task_form_completed", "form_key", "state", "completed_at"),  # legal reviews done in a period
    )


class LegalReview(BureauOwned, db.Model):
    """A legal review of a major decision (or the collective discussion that settled a persistent disagreement)."""

    __tablename__ = "legal_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("workflow_case.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # agree | disagree | revise | collective_agreed | collective_refused
    outcome: Mapped[str] = mapped_column(String(20))
    elements: Mapped[dict[str, Any]] = mapped_column(JSON)
    opinion: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    reviewer: Mapped[User] = relationship()


class TaskAssignee(db.Model):
    """A named user who may act on a restricted task (e.g. the drawn team)."""

    __tablename__ = "task_assignee"

    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)


class Attachment(BureauOwned, db.Model):
    """A file uploaded with a form: stored outside task data, identified by its SHA-256."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_case.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    field: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)  # recordings run to several GB
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_path: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Chosen in a form not yet submitted: belongs to that task and person until the task is completed.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
