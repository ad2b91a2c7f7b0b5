"""Disclosure items (公示事项), their published versions (the exact text and its SHA-256) and per-bureau periods."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.bureaus.models import Bureau, BureauOwned
from app.clock import utcnow
from app.extensions import db


class DisclosureItem(BureauOwned, db.Model):
    """One thing the bureau must make public: a decision, an inspection result, a list, a plan.

    draft → published → (withdrawn) → taken_down; a draft whose decision is revoked before publication is cancelled.
    `public_id` is the stable public address (/public/items/<public_id>), kept through every update.
    """

    __tablename__ = "disclosure_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    tab: Mapped[str] = mapped_column(String(16))  # the portal tab: decisions | results | plans | lists
    on_portal: Mapped[bool] = mapped_column(Boolean, default=False)  # published or withdrawn (shown publicly)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # the text the legal section reviews (masked)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # structured public fields (masked)
    party: Mapped[str] = mapped_column(String(200), default="")  # as published (masked for natural persons)
    natural_person: Mapped[bool] = mapped_column(Boolean, default=False)
    doc_number: Mapped[str] = mapped_column(String(60), default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_case.id"), index=True)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_result.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[date | None] = mapped_column(Date)  # the first publication's deadline
    pending_due_on: Mapped[date | None] = mapped_column(Date)  # a list changed: the update's deadline
    published_at: Mapped[datetime | None] = mapped_column(DateTime)  # first publication
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)  # last re-publication
    version: Mapped[int] = mapped_column(Integer, default=0)
    published_sha256: Mapped[str] = mapped_column(String(64), default="")
    withdraw_due_on: Mapped[date | None] = mapped_column(Date)  # the decision changed or was revoked
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    take_down_on: Mapped[date | None] = mapped_column(Date)
    taken_down_at: Mapped[datetime | None] = mapped_column(DateTime)

    bureau: Mapped[Bureau] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        Index("ix_disclosure_item_portal", "on_portal", "tab", "published_at", "id"),
        Index("ix_disclosure_item_portal_kind", "on_portal", "tab", "kind", "published_at", "id"),
        Index("ix_disclosure_item_portal_year", "on_portal", "tab", "year", "published_at", "id"),
        Index("ix_disclosure_item_portal_bureau", "on_portal", "tab", "bureau_id", "published_at", "id"),
        Index("ix_disclosure_item_due", "status", "due_on"),
        Index("ix_disclosure_item_take_down", "status", "take_down_on"),
    )


# The portal's search index lives outside the models because each database builds it its own way (migration 0023):
# PostgreSQL two GIN trigram indexes (pg_trgm) on title and doc_number; SQLite an FTS5 table with the trigram
# tokenizer over the same two columns (plus its shadow tables), kept in step by triggers on disclosure_item.
# Short searches (migration 0025): PostgreSQL the stored generated column GRAM_COLUMN = disclosure_grams(title) ||
# disclosure_grams(doc_number) (each text's distinct lower-cased characters and character pairs) with a GIN index;
# SQLite the side table GRAM_TABLE of the same.
SEARCH_TABLE = "disclosure_item_search"
GRAM_TABLE = SEARCH_TABLE + "_gram"
GRAM_COLUMN = "search_grams"
SEARCH_INDEXES = ("ix_disclosure_item_title_trgm", "ix_disclosure_item_doc_number_trgm", "ix_disclosure_item_grams")


def outside_models(name: str | None) -> bool:
    """Whether a database object is part of the search indexes that migrations 0023 and 0025 build beside the models."""
    return bool(name) and (name in SEARCH_INDEXES or name in (SEARCH_TABLE, GRAM_COLUMN)
                           or str(name).startswith(SEARCH_TABLE + "_"))


def include_in_autogenerate(_object: Any, name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
    """Alembic's include_object: compare everything but the search index (it has no model to compare with)."""
    return not outside_models(name)


class DisclosureVersion(BureauOwned, db.Model):
    """What was made public, exactly: each publish, re-publish, withdrawal and take-down, with who, when, the text
    and its SHA-256, and the deadline it met or missed."""

    __tablename__ = "disclosure_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("disclosure_item.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # published | withdrawn | taken_down
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("item_id", "action", "version", name="uq_disclosure_version"),)


class DisclosureSettings(BureauOwned, db.Model):
    """The bureau's disclosure periods (working days; years). Defaults apply until the first save."""

    __tablename__ = "disclosure_settings"
    __table_args__ = (UniqueConstraint("bureau_id", name="uq_disclosure_settings_bureau_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    penalty_days: Mapped[int] = mapped_column(Integer, default=7)
    other_days: Mapped[int] = mapped_column(Integer, default=20)
    withdraw_days: Mapped[int] = mapped_column(Integer, default=3)
    directory_days: Mapped[int] = mapped_column(Integer, default=5)
    keep_years: Mapped[int] = mapped_column(Integer, default=5)
    keep_years_person: Mapped[int] = mapped_column(Integer, default=2)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
