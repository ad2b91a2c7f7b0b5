"""Directories (名录库) and lists (清单): inspection objects, officers, experts, conflicts, tiers, item lists.

Nothing here is ever deleted: records are deactivated, and every change is audited with old → new values.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.bureaus.models import BureauOwned
from app.clock import utcnow
from app.extensions import db


class Stamped:
    """Active flag and timestamps shared by every directory record."""

    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Tier(BureauOwned, Stamped, db.Model):
    """A rank tier of officers (default: 副处级(领导职务) · 正科级 · 副科级及以下), in draw order."""

    __tablename__ = "tier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("bureau_id", "name", name="uq_tier_bureau_name"),)


class InspectionObject(BureauOwned, Stamped, db.Model):
    """A unit that may be inspected (检查对象): agency, organisation, public institution or state-owned enterprise."""

    __tablename__ = "inspection_object"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    unit_type: Mapped[str] = mapped_column(String(20), index=True)
    district: Mapped[str] = mapped_column(String(50), default="", index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_person: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    archives_staff: Mapped[str] = mapped_column(String(100), default="")

    results: Mapped[list[InspectionResult]] = relationship(
        back_populates="inspection_object", order_by="InspectionResult.inspected_on.desc()")

    __table_args__ = (
        Index("ix_inspection_object_list", "active", "unit_type", "district", "name"),
        Index("ix_inspection_object_active_name", "active", "name"),
        UniqueConstraint("bureau_id", "credit_code", name="uq_inspection_object_bureau_credit_code"),
    )


class InspectionResult(BureauOwned, Stamped, db.Model):
    """One past inspection of an object and its outcome (the rest rule of the draw reads these)."""

    __tablename__ = "inspection_result"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("inspection_object.id"))
    inspected_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))  # compliant | problems | violation
    note: Mapped[str] = mapped_column(String(500), default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_case.id"))

    inspection_object: Mapped[InspectionObject] = relationship(back_populates="results")

    __table_args__ = (UniqueConstraint("object_id", "inspected_on", name="uq_inspection_result_object_date"),)


class Officer(BureauOwned, Stamped, db.Model):
    """A certified enforcement officer (执法检查人员). Only certified, unexpired officers can be drawn."""

    __tablename__ = "officer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    unit: Mapped[str] = mapped_column(String(200), default="")
    unit_credit_code: Mapped[str] = mapped_column(String(18), default="")
    tier_id: Mapped[int] = mapped_column(ForeignKey("tier.id"), index=True)
    certificate_no: Mapped[str] = mapped_column(String(50))
    certificate_valid_until: Mapped[date] = mapped_column(Date, index=True)
    category: Mapped[str] = mapped_column(String(50), default="")
    region: Mapped[str] = mapped_column(String(50), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    tier: Mapped[Tier] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("bureau_id", "certificate_no", name="uq_officer_bureau_certificate_no"),)


class Expert(BureauOwned, Stamped, db.Model):
    """An expert from the pool (专家库): from a city unit or a lower-level archives bureau."""

    __tablename__ = "expert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(50), index=True)
    unit: Mapped[str] = mapped_column(String(200), default="")
    unit_credit_code: Mapped[str] = mapped_column(String(18), default="")
    field: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(20), default="city_unit")  # city_unit | lower_bureau
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (UniqueConstraint("bureau_id", "code", name="uq_expert_bureau_code"),)


class Conflict(BureauOwned, Stamped, db.Model):
    """A declared conflict of interest (回避): this person must not inspect this unit."""

    __tablename__ = "conflict_of_interest"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_kind: Mapped[str] = mapped_column(String(10))  # officer | expert
    person_code: Mapped[str] = mapped_column(String(50))  # certificate no. or expert code
    object_id: Mapped[int] = mapped_column(ForeignKey("inspection_object.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")

    inspection_object: Mapped[InspectionObject] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("person_kind", "person_code", "object_id", name="uq_conflict_person_object"),)


class InspectionItem(BureauOwned, Stamped, db.Model):
    """A row of the random-check item list (随机抽查事项清单)."""

    __tablename__ = "inspection_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30))
    item: Mapped[str] = mapped_column(String(200))
    sub_item: Mapped[str] = mapped_column(String(200), default="")
    inspecting_body: Mapped[str] = mapped_column(String(100), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    ratio: Mapped[str] = mapped_column(String(50), default="")
    frequency: Mapped[str] = mapped_column(String(50), default="")
    remarks: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (UniqueConstraint("bureau_id", "code", name="uq_inspection_item_bureau_code"),)


class EnforcementItem(BureauOwned, Stamped, db.Model):
    """A row of the enforcement item list (行政执法事项清单)."""

    __tablename__ = "enforcement_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    discretion_standard: Mapped[str] = mapped_column(Text, default="")
    responsible_office: Mapped[str] = mapped_column(String(100), default="")
    time_limit: Mapped[str] = mapped_column(String(50), default="")

    __table_args__ = (UniqueConstraint("bureau_id", "code", name="uq_enforcement_item_bureau_code"),)
