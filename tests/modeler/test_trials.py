"""Trial cases on a draft: marked, walked by their starter only, out of others' inboxes, numbered apart."""

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.documents.models import Document, DocumentCounter
from app.errors import Conflict
from app.extensions import db
from app.modeler.services import trials
from app.workflow.models import Task
from app.workflow.services import cases, inbox
from app.workflow.services.definitions import DefinitionInvalid
from tests.conftest import user_for
from tests.modeler.draft_helpers import draft_from
from tests.workflow.helpers import load_process

WITH_DOCUMENT = ('<spiffworkflow:property name="form" value="test_approve" />',
                 '<spiffworkflow:property name="form" value="test_approve" />'
                 '<spiffworkflow:property name="documents" value="closure_report" />')


@pytest.fixture
def draft():
    [published] = load_process("engine")
    return draft_from(published, [WITH_DOCUMENT])


def _open(case):
    return list(db.session.scalars(select(Task).where(Task.case_id == case.id, Task.state == "ready")))


def test_trial_is_walked_by_its_starter_only_and_stays_out_of_other_inboxes(draft):
    legal, leader = user_for(Role.LEGAL), user_for(Role.LEADER)
    case = trials.start_trial(legal, draft.id, data={"rounds": 0})
    assert case.trial and case.definition_id == draft.id and case.subject.startswith("试用：")
    [first] = _open(case)
    assert first.id in {t.id for t in inbox.my_tasks(legal)[0]}
    cases.complete_task(legal, first.id, {"subject": "试用申请", "amount": 3})
    [approve] = _open(case)
    assert approve.role == "leader"
    assert approve.id not in {t.id for t in inbox.my_tasks(leader)[0]}  # a real leader never sees a trial
    assert approve.id in {t.id for t in inbox.my_tasks(legal)[0]}  # its starter walks every lane
    assert not cases.may_act(leader, approve) and cases.may_act(legal, approve)
    cases.complete_task(legal, approve.id, {"approved": True})
    assert case.status == "completed"


def test_trial_documents_are_marked_and_never_take_a_real_number(draft):
    legal = user_for(Role.LEGAL)
    real_before = {(c.doc_type, c.year): c.last_seq for c in db.session.scalars(select(DocumentCounter))}
    case = trials.start_trial(legal, draft.id, data={"rounds": 0})
    [first] = _open(case)
    cases.complete_task(legal, first.id, {"subject": "试用申请", "amount": 3})
    [approve] = _open(case)
    cases.complete_task(legal, approve.id, {"approved": True})
    [document] = db.session.scalars(select(Document).where(Document.case_id == case.id))
    assert document.trial and document.number.startswith("（试用）")
    counters = {(c.doc_type, c.year): c.last_seq for c in db.session.scalars(select(DocumentCounter))}
    assert {k: v for k, v in counters.items() if not k[0].startswith("trial:")} == real_before
    assert counters[("trial:closure_report", document.year)] >= 1
    assert case.id not in {c.id for c in inbox.list_cases(trial=False)[0]}


def test_only_a_valid_draft_can_be_tried(draft):
    legal = user_for(Role.LEGAL)
    published = draft_from(draft, [("name=\"领导审批\"", "name=\"领导审批（改）\"")])
    published.status = "published"
    with pytest.raises(Conflict):
        trials.start_trial(legal, published.id)


def test_a_trial_whose_draft_changed_is_refused_not_run_on_the_wrong_diagram(draft):
    legal = user_for(Role.LEGAL)
    case = trials.start_trial(legal, draft.id, data={"rounds": 0})
    [first] = _open(case)
    draft.content_hash = "0" * 64  # what saving the draft again does
    with pytest.raises(Conflict, match="试用"):
        cases.complete_task(legal, first.id, {"subject": "试用申请", "amount": 3})


def test_an_invalid_draft_is_refused_with_its_problems(draft):
    legal = user_for(Role.LEGAL)
    draft.files = {k: v.replace('value="test_approve"', 'value="no_such_form"') for k, v in draft.files.items()}
    with pytest.raises(DefinitionInvalid):
        trials.start_trial(legal, draft.id, data={"rounds": 0})
