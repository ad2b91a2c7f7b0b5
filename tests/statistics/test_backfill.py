"""Cases started before the statistics existed get their facts from the audit log (`flask statistics backfill`):
exactly the rows the steps wrote as they happened."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from app.clock import set_clock, utcnow
from app.extensions import db
from app.statistics.models import CaseFact, CaseProblem
from app.statistics.services import backfill
from tests.statistics import scenario

FACT_COLUMNS = [c.key for c in CaseFact.__table__.columns]


def _facts() -> dict[int, tuple]:
    return {f.case_id: tuple(getattr(f, c) for c in FACT_COLUMNS) for f in db.session.scalars(select(CaseFact))}


def _problems() -> list[tuple]:
    return sorted((p.case_id, p.area, p.found_on) for p in db.session.scalars(select(CaseProblem)))


def test_backfill_rebuilds_exactly_the_facts_the_steps_wrote():
    year = scenario.build()
    db.session.commit()
    live, live_problems = _facts(), _problems()
    assert {year.rectified, year.transferred, year.transferred_case, year.complaint} <= set(live)
    assert live[year.rectified][FACT_COLUMNS.index("rect_rounds")] == 2
    db.session.execute(delete(CaseProblem))
    db.session.execute(delete(CaseFact))  # as on an installation upgraded from before migration 0022
    db.session.flush()
    assert backfill.backfill() == len(live)
    assert _facts() == live
    assert _problems() == live_problems
    assert backfill.backfill() == 0  # nothing left without facts


def test_backfilled_dates_are_the_days_the_steps_happened():
    later = utcnow() + timedelta(days=40)
    year = scenario.build()
    db.session.commit()
    live = _facts()
    db.session.execute(delete(CaseProblem))
    db.session.execute(delete(CaseFact))
    db.session.flush()
    set_clock(lambda: later)  # the backfill runs weeks later: the dates stay those of the events
    try:
        backfill.backfill()
    finally:
        set_clock(None)
    rebuilt = db.session.get(CaseFact, year.rectified)
    assert rebuilt.started_on == live[year.rectified][FACT_COLUMNS.index("started_on")]
    assert rebuilt.rectified_on == live[year.rectified][FACT_COLUMNS.index("rectified_on")]


def test_the_command_backfills_each_bureau(app):
    year = scenario.build()
    db.session.commit()
    db.session.execute(delete(CaseFact).where(CaseFact.case_id == year.complaint))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["statistics", "backfill"])
    assert result.exit_code == 0, result.output
    assert "1 case(s)" in result.output
    assert db.session.get(CaseFact, year.complaint) is not None


def test_the_command_recounts_the_completed_tasks_per_day(app):
    from app.statistics.models import TaskDay

    scenario.build()
    db.session.commit()
    def rows() -> list[tuple]:
        return sorted((d.bureau_id, d.day, d.role, d.person_id, d.done, d.late)
                      for d in db.session.scalars(select(TaskDay)))

    before = rows()
    assert before
    db.session.execute(delete(TaskDay))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["statistics", "recount-days"])
    assert result.exit_code == 0, result.output
    assert rows() == before


def test_an_inspection_whose_transferred_case_finished_before_the_backfill_is_closed():
    """The enforcement case finished after the upgrade (its facts found no inspection facts to close), the
    backfill then gives the inspection its facts: it is closed, not left as transferred."""
    year = scenario.build()
    db.session.commit()
    db.session.execute(delete(CaseProblem).where(CaseProblem.case_id == year.transferred))
    db.session.execute(delete(CaseFact).where(CaseFact.case_id == year.transferred))
    transferred = db.session.get(CaseFact, year.transferred_case)
    transferred.closed_on = transferred.started_on  # as when it finished with no inspection facts to close
    db.session.flush()
    backfill.backfill()
    assert db.session.get(CaseFact, year.transferred).stage == "closed"
