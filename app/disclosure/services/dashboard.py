"""The legal section's and leaders' view: what is due, overdue, pending, and what was published late."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.clock import local_today
from app.disclosure.models import DisclosureItem, DisclosureVersion
from app.extensions import db


@dataclass
class Board:
    """Everything the dashboard lists, for the working bureau."""

    drafts: list[DisclosureItem] = field(default_factory=list)
    updates: list[DisclosureItem] = field(default_factory=list)  # published lists/results with a pending update
    withdrawals: list[DisclosureItem] = field(default_factory=list)  # decisions revoked, not yet withdrawn
    late: list[tuple[DisclosureVersion, DisclosureItem]] = field(default_factory=list)
    recent: list[DisclosureItem] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        """How many of the open duties are past their deadline."""
        today = local_today()
        return (sum(1 for i in self.drafts if i.due_on and i.due_on < today)
                + sum(1 for i in self.updates if i.pending_due_on and i.pending_due_on < today)
                + sum(1 for i in self.withdrawals if i.withdraw_due_on and i.withdraw_due_on < today))


def board(limit: int = 200) -> Board:
    """The working bureau's open duties, nearest deadline first, and its recent and late publications."""
    result = Board()
    result.drafts = list(db.session.scalars(select(DisclosureItem).where(DisclosureItem.status == "draft")
                                            .order_by(DisclosureItem.due_on, DisclosureItem.id).limit(limit)))
    result.updates = list(db.session.scalars(select(DisclosureItem).where(
        DisclosureItem.status == "published", DisclosureItem.pending_due_on.is_not(None))
        .order_by(DisclosureItem.pending_due_on).limit(limit)))
    result.withdrawals = list(db.session.scalars(select(DisclosureItem).where(
        DisclosureItem.status == "published", DisclosureItem.withdraw_due_on.is_not(None))
        .order_by(DisclosureItem.withdraw_due_on).limit(limit)))
    result.late = [(row[0], row[1]) for row in db.session.execute(select(DisclosureVersion, DisclosureItem)
                                          .join(DisclosureItem, DisclosureItem.id == DisclosureVersion.item_id)
                                          .where(DisclosureVersion.late.is_(True))
                                          .order_by(DisclosureVersion.at.desc()).limit(50))]
    result.recent = list(db.session.scalars(select(DisclosureItem).where(
        DisclosureItem.status.in_(("published", "withdrawn", "taken_down", "cancelled")))
        .order_by(DisclosureItem.id.desc()).limit(20)))
    return result


def history(item: DisclosureItem) -> list[DisclosureVersion]:
    """Every publication, withdrawal and take-down of the item, oldest first."""
    return list(db.session.scalars(select(DisclosureVersion).where(DisclosureVersion.item_id == item.id)
                                   .order_by(DisclosureVersion.id)))
