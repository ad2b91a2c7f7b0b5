"""The period's inspections and enforcement cases counted once, per bureau and by every column a figure groups on:
two grouped queries over `case_fact` instead of one per figure. Each figure (and the headline, and the roll-up per
bureau) sums the groups it needs, so its numbers are exactly those of its own query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, extract, func, select

from app.extensions import db
from app.statistics.models import CaseFact

AMOUNT_LIMITS = (Decimal("5000"), Decimal("20000"), Decimal("50000"))  # upper bounds of the fine buckets but the last


@dataclass(frozen=True)
class Check:
    """Inspections checked in the period with one bureau, month and outcome."""

    bureau_id: int
    year: int
    month: int
    outcome: str | None
    count: int


@dataclass(frozen=True)
class Started:
    """Enforcement cases started in the period with one bureau, source, decision, fine bucket (None: no fine) and
    closed or not; `fines`: the sum of their fines."""

    bureau_id: int
    source: str | None
    decision: str | None
    bucket: int | None
    closed: bool
    count: int
    fines: Decimal


@dataclass(frozen=True)
class Tally:
    """Both groupings of one period, over every readable bureau; `mine` narrows to the period's chosen bureau."""

    checks: list[Check]
    started: list[Started]
    bureau_id: int | None = None

    def mine_checks(self) -> list[Check]:
        return [c for c in self.checks if self.bureau_id is None or c.bureau_id == self.bureau_id]

    def mine_started(self) -> list[Started]:
        return [s for s in self.started if self.bureau_id is None or s.bureau_id == self.bureau_id]


def count(start: date, end: date, bureau_id: int | None = None) -> Tally:
    """Inspections checked and enforcement cases started in [start, end] (local dates): two statements."""
    year, month = extract("year", CaseFact.checked_on), extract("month", CaseFact.checked_on)
    checks = select(CaseFact.bureau_id, year, month, CaseFact.outcome, func.count()).where(
        CaseFact.kind == "inspection", CaseFact.checked_on >= start, CaseFact.checked_on <= end
    ).group_by(CaseFact.bureau_id, year, month, CaseFact.outcome)
    bucket = case((CaseFact.fine_amount.is_(None), -1),
                  *((CaseFact.fine_amount < high, index) for index, high in enumerate(AMOUNT_LIMITS)),
                  else_=len(AMOUNT_LIMITS))
    closed = case((CaseFact.closed_on.is_not(None), 1), else_=0)
    started = select(CaseFact.bureau_id, CaseFact.source, CaseFact.decision, bucket, closed, func.count(),
                     func.sum(CaseFact.fine_amount)).where(
        CaseFact.kind == "case", CaseFact.started_on >= start, CaseFact.started_on <= end
    ).group_by(CaseFact.bureau_id, CaseFact.source, CaseFact.decision, bucket, closed)
    return Tally([Check(b, int(y), int(m), o, int(n)) for b, y, m, o, n in db.session.execute(checks)],
                 [Started(b, s, d, None if int(k) < 0 else int(k), bool(c), int(n), _money(f))
                  for b, s, d, k, c, n, f in db.session.execute(started)], bureau_id)


def _money(value: Any) -> Decimal:
    return Decimal(value or 0)
