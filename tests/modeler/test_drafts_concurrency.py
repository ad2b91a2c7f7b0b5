"""Real concurrency on PostgreSQL: two people save the same draft at once; exactly one save wins, the other is told
who saved first. These tests commit for real (see tests/workflow/test_concurrency.py)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.modeler.services import drafts
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def db_session(app):
    """Opt out of the shared rolled-back transaction: these tests need separate, committing connections."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL (concurrent transactions)")
    yield None


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def test_two_people_save_the_same_draft_exactly_one_wins(app):
    from tests.workflow.helpers import load_process

    with app.app_context():
        load_process("engine")
        draft = drafts.new_draft(_user("demo.legal"), definitions.published("test_approval"), "并发")
        db.session.commit()
        draft_id, xml = draft.id, draft.files["approval.bpmn"]
        db.session.remove()

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(username: str, new_name: str) -> None:
        with app.app_context():
            user = _user(username)
            definition = db.session.get(ProcessDefinition, draft_id)
            barrier.wait()
            try:
                drafts.save_draft(user, definition, revision=1, reason=username,
                                  files={"approval.bpmn": xml.replace("领导审批", new_name)})
                db.session.commit()
                outcomes[username] = "won"
            except drafts.DraftConflict as exc:
                db.session.rollback()
                outcomes[username] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=("demo.legal", "甲的修改")),
               threading.Thread(target=attempt, args=("demo.admin", "乙的修改"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    winners = [name for name, result in outcomes.items() if result == "won"]
    losers = [result for result in outcomes.values() if isinstance(result, drafts.DraftConflict)]
    assert len(winners) == 1 and len(losers) == 1
    with app.app_context():
        stored = db.session.get(ProcessDefinition, draft_id)
        winner = _user(winners[0])
        assert stored.revision == 2 and stored.updated_by_id == winner.id
        assert ("甲的修改" if winners[0] == "demo.legal" else "乙的修改") in stored.files["approval.bpmn"]
        assert losers[0].saved_by == winner.full_name and winner.full_name in str(losers[0])
        saves = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "definition.draft_saved",
                                                            AuditEvent.object_id == str(draft_id))).all()
        assert len(saves) == 1
        db.session.remove()
