"""Shared procedures with local variants: a county uses the city's/standard published version or publishes its
own; new cases start on the nearest published version; running cases stay pinned."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.bureaus.models import Bureau
from app.extensions import db
from app.workflow.models import ProcessDefinition
from app.workflow.services import cases, definitions
from tests.conftest import sign_in, user_for


def _jia() -> tuple[Bureau, User]:
    bureau = db.session.scalar(select(Bureau).where(Bureau.name.contains("甲县")))
    return bureau, db.session.scalar(select(User).where(User.username == "demo.jia.legal"))


def test_county_uses_the_standard_then_its_own_variant(app):
    jia, legal = _jia()
    standard = definitions.published("case_filing")
    assert standard.bureau_id is None
    standard_id = standard.id
    with context.use(context.for_bureau(jia.id)):
        before = cases.start_case(legal, "case_filing", "采用标准流程的案件")
        assert before.definition_id == standard_id
        before_id = before.id
    db.session.commit()
    client = sign_in(app.test_client(), _jia()[1])
    assert "采用为本局版本" in client.get(f"/processes/{standard_id}").get_data(as_text=True)
    response = client.post(f"/processes/{standard_id}/adopt")
    local_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/versions/{local_id}/publish", data={"reason": "本县调整立案审批时限"})
    client = sign_in(app.test_client(), _jia()[1])
    with context.use(context.SYSTEM):
        local = db.session.get(ProcessDefinition, local_id)
    assert local.bureau_id == jia.id and local.status == "published"
    assert db.session.get(ProcessDefinition, standard_id).status == "published"  # the city keeps the standard

    jia, legal = _jia()
    with context.use(context.for_bureau(jia.id)):
        after = cases.start_case(legal, "case_filing", "本局版本的案件")
        assert after.definition_id == local_id
        assert cases.get_case(before_id).definition_id == standard_id  # pinned as before
    assert definitions.published("case_filing").id == standard_id  # the city still starts on the standard
    page = client.get("/processes/").get_data(as_text=True)
    assert "示例市甲县档案局" in page and "本局新案件使用" in page


def test_a_county_cannot_publish_the_standard_line(app):
    from app.errors import PermissionDenied
    from app.modeler.services import drafts, publishing

    jia, legal = _jia()
    with context.use(context.for_bureau(jia.id)):
        draft = drafts.new_draft(legal, definitions.published("case_filing"))
        assert draft.bureau_id == jia.id  # a county's drafts are its own variants
    standard_draft = drafts.new_draft(user_for(Role.LEGAL), definitions.published("case_filing"))
    assert standard_draft.bureau_id is None  # the top bureau keeps the standard line
    with context.use(context.for_bureau(jia.id)), pytest.raises(PermissionDenied):
        publishing.publish(legal, standard_draft.id, "越权发布")


def test_the_city_legal_section_publishes_standard_drafts():
    standard = definitions.published("case_filing")
    assert definitions.may_publish(user_for(Role.LEGAL).bureau_id, standard)
    jia, legal = _jia()
    assert not definitions.may_publish(legal.bureau_id, standard)
