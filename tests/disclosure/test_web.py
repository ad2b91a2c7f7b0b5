"""The portal as a visitor sees it, and the legal section's pages, over HTTP."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.disclosure.models import DisclosureItem
from app.disclosure.services import drafts, publishing
from app.extensions import db
from tests.conftest import sign_in, user_for
from tests.disclosure.helpers import draft_of, served_case

TABS = ("/public/", "/public/inspection-items", "/public/plans", "/public/tasks", "/public/results",
        "/public/decisions", "/public/enforcement-items", "/public/subjects", "/public/officers",
        "/public/flowcharts")


def _published_decision():
    item = draft_of(served_case())
    publishing.publish(user_for(Role.LEGAL), item, item.title, item.body)
    db.session.commit()
    return item


def test_the_home_page_links_to_the_portal(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/public/"' in page and "执法公示" in page


def test_every_tab_opens_without_login_and_names_the_tabs(client):
    for url in TABS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for label in ("抽查事项清单", "抽查计划", "抽查任务", "抽查结果", "行政执法事项清单", "执法主体资格清单",
                      "执法人员资格清单", "执法流程图", "执法决定"):
            assert label in body, (url, label)


def test_a_published_decision_is_listed_searchable_and_has_a_stable_page(client):
    item = _published_decision()
    listing = client.get("/public/decisions").get_data(as_text=True)
    assert item.title in listing and "示例市档案局" in listing
    assert item.title in client.get(f"/public/decisions?q={item.doc_number}").get_data(as_text=True)
    assert item.title not in client.get("/public/decisions?q=不存在的文号").get_data(as_text=True)
    assert item.title not in client.get(f"/public/decisions?year={item.year - 1}").get_data(as_text=True)
    assert item.title in client.get("/public/decisions?bureau=1&kind=penalty_decision").get_data(as_text=True)
    assert item.title not in client.get("/public/decisions?bureau=2").get_data(as_text=True)
    page = client.get(f"/public/items/{item.public_id}").get_data(as_text=True)
    assert "罚款人民币贰万元整" in page and item.published_sha256 in page and "发布于" in page
    assert "发布机关" in page and "示例市档案局" in page


def test_drafts_are_not_public(client):
    item = draft_of(served_case())
    db.session.commit()
    public_id, title = item.public_id, item.title
    assert client.get(f"/public/items/{public_id}").status_code == 404
    assert title not in client.get("/public/decisions").get_data(as_text=True)


def test_a_withdrawn_item_shows_its_reason_not_its_text_and_a_taken_down_one_answers_410(client):
    item = _published_decision()
    publishing.revoke_decision(user_for(Role.LEADER), item.case_id, "复议机关撤销原决定")
    publishing.withdraw(user_for(Role.LEGAL), item, "复议机关撤销原决定")
    db.session.commit()
    item_id, public_id = item.id, item.public_id
    page = client.get(f"/public/items/{public_id}").get_data(as_text=True)
    assert "复议机关撤销原决定" in page and "撤回于" in page and "罚款人民币贰万元整" not in page
    publishing.take_down(None, db.session.get(DisclosureItem, item_id))
    db.session.commit()
    response = client.get(f"/public/items/{public_id}")
    assert response.status_code == 410 and "撤下" in response.get_data(as_text=True)


def test_the_legal_section_reviews_and_publishes_through_the_page(as_role):
    item = draft_of(served_case())
    db.session.commit()
    item_id, title, body, due = item.id, item.title, item.body, item.due_on
    legal = as_role(Role.LEGAL)
    page = legal.get(f"/disclosure/items/{item_id}").get_data(as_text=True)
    assert str(due) in page and "待发布" in page
    assert title in legal.get("/disclosure/").get_data(as_text=True)
    refused = legal.post(f"/disclosure/items/{item_id}/publish",
                         data={"title": title, "body": "身份证 110105198502021234", "action": "publish"})
    assert refused.status_code == 422 and "身份证号码一律不予公开" in refused.get_data(as_text=True)
    assert "110105198502021234" in refused.get_data(as_text=True)  # what was typed is kept in the form
    done = legal.post(f"/disclosure/items/{item_id}/publish", data={"title": title, "body": body, "action": "publish"})
    assert done.status_code == 302
    assert db.session.get(DisclosureItem, item_id).status == "published"


def test_a_leader_registers_a_revocation_with_a_reason(as_role):
    item_id = _published_decision().id
    leader = as_role(Role.LEADER)
    assert leader.post(f"/disclosure/items/{item_id}/revoke", data={"revoke_reason": ""}).status_code == 422
    assert leader.post(f"/disclosure/items/{item_id}/revoke", data={"revoke_reason": "判决撤销"}).status_code == 302
    assert db.session.get(DisclosureItem, item_id).withdraw_due_on is not None
    assert "判决撤销" in as_role(Role.LEGAL).get("/disclosure/").get_data(as_text=True)


def test_a_county_legal_section_cannot_reach_the_citys_drafts(app):
    item = draft_of(served_case())
    db.session.commit()
    item_id, title = item.id, item.title
    county = db.session.scalar(select(User).where(User.username == "demo.jia.legal"))
    client = sign_in(app.test_client(), county)
    assert client.get(f"/disclosure/items/{item_id}").status_code == 404
    assert client.post(f"/disclosure/items/{item_id}/publish",
                       data={"title": "x", "body": "y", "action": "publish"}).status_code == 404
    assert title not in client.get("/disclosure/").get_data(as_text=True)
    assert db.session.get(DisclosureItem, item_id).status == "draft"


def test_a_plan_is_written_published_and_shown_in_the_plans_tab(as_role, client):
    legal = as_role(Role.LEGAL)
    bad = legal.post("/disclosure/new", data={"kind": "annual_plan", "year": "20x7", "title": "", "body": "正文保留"})
    assert bad.status_code == 422 and "正文保留" in bad.get_data(as_text=True)
    assert legal.post("/disclosure/new", data={"kind": "annual_plan", "year": "2027", "title": "2027 年度抽查计划",
                                               "body": "抽查比例 20%"}).status_code == 302
    item = db.session.scalar(select(DisclosureItem).where(DisclosureItem.title == "2027 年度抽查计划"))
    legal.post(f"/disclosure/items/{item.id}/publish", data={"title": item.title, "body": item.body})
    assert "2027 年度抽查计划" in client.get("/public/plans").get_data(as_text=True)


def test_an_inspection_result_recorded_by_the_procedure_becomes_a_draft():
    from app.directories.models import InspectionObject
    from app.directories.services.results import record_outcome

    obj = db.session.scalar(select(InspectionObject).order_by(InspectionObject.id))
    result = record_outcome(user_for(Role.INSPECTOR), obj.id, "2027-06-01", "problems", None, note="整改")
    item = drafts.on_result_recorded(user_for(Role.INSPECTOR), result)
    assert item.kind == "inspection_result" and obj.name in item.title and item.due_on is not None


def test_a_flowchart_lists_its_steps_with_time_limits(client):
    from app.workflow.services import definitions

    with context.use(context.PUBLIC):
        definition = definitions.published("case_handling")
    page = client.get(f"/public/flowcharts/{definition.id}").get_data(as_text=True)
    assert "填写立案审批表" in page and "7 个工作日内" in page and "data-diagram-src" in page
    xml = client.get(f"/public/flowcharts/{definition.id}/case_handling.bpmn")
    assert xml.status_code == 200 and b"bpmn:definitions" in xml.data


def test_the_recording_tab_appears_only_when_its_page_exists():
    from app import create_app
    from app.disclosure.portal_web import tabs

    application = create_app({"APP_ENV": "testing", "DATABASE_URL": "sqlite://", "SECRET_KEY": "t" * 40})
    with application.test_request_context("/public/"):
        assert ("public_recording.public_list", "音像记录事项清单") in [(e, str(label)) for e, label in tabs()]
    del application.view_functions["public_recording.public_list"]  # an installation without the recording list
    with application.test_request_context("/public/"):
        assert "音像记录事项清单" not in [str(label) for _e, label in tabs()]
