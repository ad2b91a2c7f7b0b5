"""Publishing a draft: the diff against the published version, a reason required, audited with the hashes."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.errors import ValidationFailed
from app.extensions import db
from app.modeler.services import publishing
from app.workflow.services.definitions import DefinitionInvalid
from tests.conftest import user_for
from tests.modeler.draft_helpers import draft_from
from tests.modeler.test_migration import NEW_STEP
from tests.workflow.helpers import load_process


@pytest.fixture
def versions():
    [v1] = load_process("engine")
    form = {**v1.forms["test_approve"]}
    form["properties"] = {**form["properties"], "remark": {"type": "string", "title": "会签意见"}}
    v2 = draft_from(v1, NEW_STEP, forms={"test_approve": form})
    return v1, v2


def test_diff_names_added_changed_elements_and_form_fields(versions):
    v1, v2 = versions
    result = publishing.diff(v2, v1)
    markers = result.markers()
    assert "countersign" in markers["added"] and "f4b" in markers["added"]
    assert "approve" in markers["changed"] and markers["removed"] == []
    approve = next(c for c in result.elements if c.element.element_id == "approve")
    assert approve.fields == [("name", "领导审批", "局领导审批")]
    [form] = result.forms
    assert form.key == "test_approve" and form.added == ["会签意见"]
    assert publishing.diff(v1, v1).empty


def test_publish_needs_a_reason_and_audits_who_why_and_both_hashes(versions):
    v1, v2 = versions
    legal = user_for(Role.LEGAL)
    with pytest.raises(ValidationFailed):
        publishing.publish(legal, v2.id, "")
    assert v2.status == "draft"
    publishing.publish(legal, v2.id, "增加会签环节")
    assert (v1.status, v2.status) == ("retired", "published")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "definition.published",
                                                        AuditEvent.object_id == str(v2.id))).one()
    assert event.actor_id == legal.id and event.details["reason"] == "增加会签环节"
    assert event.details["hash"] == v2.content_hash and event.details["previous"]["hash"] == v1.content_hash


def test_an_invalid_draft_is_not_published(versions):
    v1, v2 = versions
    v2.files = {k: v.replace('value="test_approve"', 'value="no_such_form"') for k, v in v2.files.items()}
    with pytest.raises(DefinitionInvalid):
        publishing.publish(user_for(Role.LEGAL), v2.id, "原因")
    assert v2.status == "draft" and v1.status == "published"
