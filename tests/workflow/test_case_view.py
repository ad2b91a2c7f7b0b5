"""The case page on its diagram and the auditor's step-through, on the demo's closed cases."""

import json
import re

from sqlalchemy import select

from app.auth.roles import Role
from app.demo.history import DEMO_CLOSED_PENALTY_SUBJECT, DEMO_INSPECTION_SUBJECT
from app.extensions import db
from app.workflow.models import Case
from app.workflow.services import history


def _case(subject):
    return db.session.scalar(select(Case).where(Case.subject == subject))


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_case_page_draws_the_pinned_diagram_with_states_and_element_details(as_role):
    case = _case(DEMO_CLOSED_PENALTY_SUBJECT)
    page = as_role(Role.AUDITOR).get(f"/cases/{case.id}").get_data(as_text=True)
    diagram = re.search(r"data-case-diagram[^>]*data-markers='([^']*)'", page)
    markers = json.loads(diagram.group(1).replace("&#34;", '"'))
    assert "diagram-completed" in markers["decide"] and "diagram-completed" in markers["file"]
    assert "hearing" not in markers  # the path not taken stays unmarked
    assert markers["start"] == ["diagram-completed"] and markers["lr_start"] == ["diagram-completed"]
    assert 'data-testid="diagram-legend"' in page and "定时器等待中" in page
    assert 'data-element-detail="review"' in page
    review = page[page.index('data-element-detail="review"'):]
    review = _text(review[:review.index("data-element-detail=", 10)])
    assert "李法制（演示）" in review and "证据是否确凿充分 不符合" in review and "法制审核意见书" in review
    assert case.definition.content_hash[:16] in page
    text = _text(page)
    assert "el_" not in text and "None" not in text and "task.completed" not in text
    assert "¥150,000.00" in text  # case data, formatted


def test_steps_replay_data_and_diagram_as_of_each_event():
    case = _case(DEMO_CLOSED_PENALTY_SUBJECT)
    steps = history.replay(case)
    review = next(s for s in steps if s.event.action == "task.completed" and s.element == "review")
    assert review.data["review_outcome"] == "revise" and "decision_date" not in review.data
    assert "review_outcome" in review.changed and "party_name" not in review.changed
    assert "review" in review.completed and "report" in review.current  # sent back for revision
    assert steps[-1].current == set() and "close" in steps[-1].completed


def test_step_page_shows_the_review_elements_as_labelled_text_and_links_to_neighbours(as_role):
    case = _case(DEMO_CLOSED_PENALTY_SUBJECT)
    steps = history.replay(case)
    index = next(s.index for s in steps if s.event.action == "task.completed" and s.element == "review")
    client = as_role(Role.AUDITOR)
    page = client.get(f"/cases/{case.id}/steps/{index}").get_data(as_text=True)
    change = _text(page[page.index('data-testid="step-change"'):page.index("当时的流程图")])
    assert "证据是否确凿充分 本步变更 不符合" in change and "修改后再送审" in change
    assert case.definition.content_hash in page  # the version's whole hash, always shown
    assert f"/cases/{case.id}/steps/{index - 1}" in page and f"/cases/{case.id}/steps/{index + 1}" in page
    assert 'aria-current="step"' in page
    data = _text(page[page.index('data-testid="step-data"'):])
    assert "¥150,000.00" in data and "决定日期" not in data  # data as of then, not later
    assert client.get(f"/cases/{case.id}/steps/{len(steps) + 1}").status_code == 404
    assert client.get(f"/cases/{case.id}/steps/0").status_code == 404


def test_step_through_covers_documents_and_the_inspection(as_role):
    case = _case(DEMO_INSPECTION_SUBJECT)
    steps = history.replay(case)
    kinds = [s.event.action for s in steps]
    assert kinds[0] == "case.started" and "document.generated" in kinds and kinds[-1] == "task.completed"
    doc_step = next(s for s in steps if s.event.action == "document.generated")
    page = as_role(Role.AUDITOR).get(f"/cases/{case.id}/steps/{doc_step.index}").get_data(as_text=True)
    assert "检查通知书" in page and "/documents/" in page


def test_waiting_timers_and_current_task_are_marked(as_role):
    from app.demo.history import DEMO_DECISION_SUBJECT

    case = _case(DEMO_DECISION_SUBJECT)
    page = as_role(Role.LEADER).get(f"/cases/{case.id}").get_data(as_text=True)
    diagram = re.search(r"data-case-diagram[^>]*data-markers='([^']*)'", page)
    markers = json.loads(diagram.group(1).replace("&#34;", '"'))
    assert "diagram-current" in markers["decide"]
    assert "diagram-waiting" in markers["wait80"]  # 80 days after filing: the deadline warning
    assert 'data-testid="waiting-timers"' in page and "立案满 80 日" in page
