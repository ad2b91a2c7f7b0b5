"""Drafts: copy a version, save changes all-or-nothing with lint, optimistic concurrency, audit, JSON endpoints."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.modeler.services import drafts
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions
from tests.conftest import user_for


def _published(process_id="case_filing"):
    return definitions.published(process_id)


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_new_draft_copies_the_version_and_leaves_it_alone():
    source = _published()
    draft = drafts.new_draft(user_for(Role.LEGAL), source, "增加环节")
    assert draft.status == "draft" and draft.version == source.version + 1 and draft.based_on_id == source.id
    assert draft.files == source.files and draft.forms == source.forms and draft.revision == 1
    assert _events("definition.draft_created")[-1].details["from_version"] == source.version
    with pytest.raises(drafts.DraftExists):
        drafts.new_draft(user_for(Role.LEGAL), source)


def test_save_changes_the_draft_audits_and_bumps_the_revision():
    legal = user_for(Role.LEGAL)
    source = _published()
    draft = drafts.new_draft(legal, source)
    xml = draft.files["case_filing.bpmn"].replace('name="领导审批立案"', 'name="局领导审批立案"')
    result = drafts.save_draft(legal, draft, revision=1, reason="改名", files={"case_filing.bpmn": xml})
    assert result.changed and draft.revision == 2 and draft.files["case_filing.bpmn"] == xml
    assert draft.content_hash != source.content_hash and source.files["case_filing.bpmn"] != xml
    event = _events("definition.draft_saved")[-1]
    assert event.actor_id == legal.id and event.details["reason"] == "改名"
    assert event.details["hash"] == draft.content_hash and event.details["files"] == ["case_filing.bpmn"]


def test_bad_diagrams_are_refused_naming_the_element_and_nothing_is_saved():
    legal = user_for(Role.LEGAL)
    draft = drafts.new_draft(legal, _published())
    before = dict(draft.files)
    # a user task in no lane, with a form that does not exist and a document type that does not exist
    xml = draft.files["case_filing.bpmn"].replace(
        '<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>', '').replace(
        'value="case_filing_approval"', 'value="no_such_form"').replace(
        '<spiffworkflow:property name="due" value="add_working_days(now(), 3)"/>',
        '<spiffworkflow:property name="documents" value="no_such_doc"/>')
    with pytest.raises(drafts.DraftRejected) as caught:
        drafts.save_draft(legal, draft, revision=1, reason="x", files={"case_filing.bpmn": xml})
    codes = {(p.element_id, p.code) for p in caught.value.problems}
    assert {("approve", "lane_missing"), ("approve", "form_unknown"), ("approve", "document_unknown")} <= codes
    assert all(p.message_zh for p in caught.value.problems)
    assert draft.files == before and draft.revision == 1
    # not XML at all; an unsafe script; a file over the size limit
    with pytest.raises(drafts.DraftRejected) as caught:
        drafts.save_draft(legal, draft, revision=1, reason="x", files={"case_filing.bpmn": "<bpmn:definitions"})
    assert caught.value.problems[0].code == "xml" and caught.value.problems[0].line == 1
    unsafe = draft.files["case_filing.bpmn"].replace("filed = False", "filed = ().__class__.__base__")
    with pytest.raises(drafts.DraftRejected) as caught:
        drafts.save_draft(legal, draft, revision=1, reason="x", files={"case_filing.bpmn": unsafe})
    assert [(p.element_id, p.code) for p in caught.value.problems] == [("mark_rejected", "script")]
    with pytest.raises(drafts.DraftRejected) as caught:
        drafts.save_draft(legal, draft, revision=1, reason="x", files={"case_filing.bpmn": before["case_filing.bpmn"]},
                          max_bytes=1000)
    assert caught.value.problems[0].code == "too_large" and "KB" in caught.value.problems[0].message_zh
    assert draft.revision == 1 and _events("definition.draft_saved") == []


def test_second_concurrent_save_is_refused_naming_who_saved_first():
    legal, other = user_for(Role.LEGAL), user_for(Role.ADMIN)
    draft = drafts.new_draft(legal, _published())
    xml = draft.files["case_filing.bpmn"]
    first = {"case_filing.bpmn": xml.replace("已立案", "立案完成")}
    drafts.save_draft(other, draft, revision=1, reason="先保存", files=first)
    with pytest.raises(drafts.DraftConflict) as caught:
        drafts.save_draft(legal, draft, revision=1, reason="后保存", files={"case_filing.bpmn": xml + " "})
    assert caught.value.saved_by == other.full_name and caught.value.revision == 2
    assert other.full_name in str(caught.value)
    assert "立案完成" in draft.files["case_filing.bpmn"]


def test_published_versions_never_change_and_a_reason_is_required():
    legal = user_for(Role.LEGAL)
    published = _published()
    with pytest.raises(Conflict):
        drafts.save_draft(legal, published, revision=1, reason="x", files={})
    draft = drafts.new_draft(legal, published)
    with pytest.raises(ValidationFailed) as caught:
        drafts.save_draft(legal, draft, revision=1, reason="  ", files={})
    assert "reason" in caught.value.errors


def test_forms_are_checked_and_saved_with_the_draft():
    legal = user_for(Role.LEGAL)
    draft = drafts.new_draft(legal, _published())
    bad = {"type": "object", "properties": {"Bad Name": {"type": "string", "title": "x"}}}
    with pytest.raises(drafts.DraftRejected) as caught:
        drafts.save_draft(legal, draft, revision=1, reason="x", forms={"case_filing_approval": bad})
    assert caught.value.problems[0].file == "forms/case_filing_approval.json"
    form = dict(draft.forms["case_filing_approval"])
    form["title"] = "领导审批（新）"
    drafts.save_draft(legal, draft, revision=1, reason="表单标题", forms={"case_filing_approval": form})
    assert draft.forms["case_filing_approval"]["title"] == "领导审批（新）"
    # removing a form still used by the diagram is refused
    with pytest.raises(drafts.DraftRejected) as caught:
        drafts.save_draft(legal, draft, revision=2, reason="x", removed_forms=["case_filing_approval"])
    assert caught.value.problems[0].code == "form_unknown" and caught.value.problems[0].element_id == "approve"


def test_auto_layout_on_save_and_warning_without_layout():
    from app.modeler.services import layout

    legal = user_for(Role.LEGAL)
    draft = drafts.new_draft(legal, _published())
    bare = draft.files["case_filing.bpmn"]
    bare = bare[:bare.index("<bpmndi:BPMNDiagram")] + "</bpmn:definitions>\n"
    result = drafts.save_draft(legal, draft, revision=1, reason="无布局", files={"case_filing.bpmn": bare})
    assert [w.code for w in result.warnings] == ["no_layout"]
    result = drafts.save_draft(legal, draft, revision=2, reason="自动排布", files={"case_filing.bpmn": bare},
                               auto_layout=True)
    assert result.warnings == [] and layout.missing_layout(draft.files["case_filing.bpmn"]) == []


# -- the JSON endpoints

def test_endpoints_create_read_save_and_conflict(as_role):
    client = as_role(Role.LEGAL)
    source = _published()
    source_id = source.id
    response = client.post(f"/processes/{source_id}/draft", json={"reason": "试改"})
    assert response.status_code == 201
    draft_id = response.json["draft"]["id"]
    again = client.post(f"/processes/{source_id}/draft", json={})
    assert again.status_code == 409 and again.json["draft"]["id"] == draft_id and "草稿" in again.json["error"]
    state = client.get(f"/processes/{draft_id}/draft/state").json
    assert state["draft"]["revision"] == 1 and state["problems"] == [] and "case_filing.bpmn" in state["draft"]["files"]
    choices = state["choices"]
    assert {"name": "局领导", "role": "leader", "role_label": "局领导"} in choices["lanes"]
    assert {"code": "penalty_decision", "title": "行政处罚决定书"} in choices["document_types"]
    assert {"key": "case_filing_approval", "title": "领导审批立案"} in choices["forms"]
    assert {"id": "case_handling", "name": "行政处罚案件办理"} in choices["processes"]
    xml = state["draft"]["files"]["case_filing.bpmn"]
    bad = xml.replace("<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>", "")
    refused = client.post(f"/processes/{draft_id}/draft/save",
                          json={"revision": 1, "reason": "x", "files": {"case_filing.bpmn": bad}})
    assert refused.status_code == 422
    [problem] = refused.json["problems"]
    assert problem["element_id"] == "approve" and problem["message"].startswith("用户任务不在任何泳道中")
    lint_only = client.post(f"/processes/{draft_id}/draft/lint", json={"files": {"case_filing.bpmn": bad}}).json
    assert [p["code"] for p in lint_only["problems"]] == ["lane_missing"]
    good = xml.replace("已立案", "立案完成")
    saved = client.post(f"/processes/{draft_id}/draft/save",
                        json={"revision": 1, "reason": "改名", "files": {"case_filing.bpmn": good}})
    assert saved.status_code == 200 and saved.json["draft"]["revision"] == 2 and saved.json["changed"]
    stale = client.post(f"/processes/{draft_id}/draft/save",
                        json={"revision": 1, "reason": "旧", "files": {"case_filing.bpmn": xml}})
    assert stale.status_code == 409 and stale.json["revision"] == 2 and stale.json["saved_by"]
    no_reason = client.post(f"/processes/{draft_id}/draft/save", json={"revision": 2, "files": {}})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["fields"]
    assert client.post(f"/processes/{source_id}/draft/save", json={"revision": 1, "reason": "x"}).status_code == 409
    assert db.session.get(ProcessDefinition, source_id).files["case_filing.bpmn"] == xml


def test_endpoints_need_csrf(app):
    from tests.conftest import sign_in

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = sign_in(app.test_client(), user_for(Role.LEGAL))
        response = client.post(f"/processes/{_published().id}/draft", json={})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_draft_can_be_discarded_with_a_reason_and_a_new_one_made(as_role):
    from app.workflow.services.definitions import publish_version

    legal = user_for(Role.LEGAL)
    source = _published()
    draft = drafts.new_draft(legal, source)
    with pytest.raises(ValidationFailed):
        drafts.discard_draft(legal, draft, " ")
    drafts.discard_draft(legal, draft, "改错了，重来")
    assert draft.status == "discarded" and _events("definition.draft_discarded")[-1].details["reason"] == "改错了，重来"
    with pytest.raises(Conflict):
        publish_version(legal, draft)
    with pytest.raises(Conflict):
        drafts.save_draft(legal, draft, revision=1, reason="x", files={})
    again = drafts.new_draft(legal, source)
    assert again.version == draft.version + 1
    again_id = again.id
    db.session.commit()
    client = as_role(Role.LEGAL)
    response = client.post(f"/processes/{again_id}/draft/discard", data={"reason": "不需要了"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProcessDefinition, again_id).status == "discarded"
    listing = client.get("/processes/").get_data(as_text=True)
    assert "已放弃" in listing
