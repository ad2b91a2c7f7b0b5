"""The draw record (抽取记录): parameters, frozen pools and their hashes, exclusions, nonce, witness entropy,
algorithm version, every intermediate result, organiser and witness with times."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db


class Draw(BureauOwned, db.Model):
    """One draw per year and scope. prepared → drawn → confirmed; a failed perform → failed, then a leader
    cancels or allows another attempt; a redraw supersedes a drawn one (kept visible); prepared draws can be
    cancelled. `slot` ("year:scope") is unique among the draws that hold their year (NULL once cancelled or
    superseded), so a second draw for the same year and scope cannot exist beside a live one."""

    __tablename__ = "draw"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    scope: Mapped[str] = mapped_column(String(20), default="annual", server_default="annual")
    slot: Mapped[str | None] = mapped_column(String(40))  # unique per bureau (see __table_args__)
    status: Mapped[str] = mapped_column(String(20), default="prepared")
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    pools: Mapped[dict[str, Any]] = mapped_column(JSON)
    pool_hashes: Mapped[dict[str, str]] = mapped_column(JSON)
    exclusions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    nonce_hash: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))  # secret until the draw; shown in the record afterwards
    witness_entropy: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(64))
    algorithm_version: Mapped[str] = mapped_column(String(40))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    schedule: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    record_hash: Mapped[str | None] = mapped_column(String(64))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    prepared_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    drawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    cases_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    redraw_of_id: Mapped[int | None] = mapped_column(ForeignKey("draw.id"))
    redraw_reason: Mapped[str | None] = mapped_column(Text)
    redraw_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    redraw_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    redraw_approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # failed performs, each with its decision
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    public_part: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # for the disclosure portal
    public_results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # results marked for publication

    organiser: Mapped[User] = relationship(foreign_keys=[organiser_id])
    witness: Mapped[User | None] = relationship(foreign_keys=[witness_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    redraw_approved_by: Mapped[User | None] = relationship(foreign_keys=[redraw_approved_by_id])
    redraw_requested_by: Mapped[User | None] = relationship(foreign_keys=[redraw_requested_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    redraw_of: Mapped[Draw | None] = relationship(remote_side=[id], foreign_keys=[redraw_of_id])

    __table_args__ = (UniqueConstraint("bureau_id", "slot", name="uq_draw_bureau_slot"),)
