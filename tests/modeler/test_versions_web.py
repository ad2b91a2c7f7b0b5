"""The pages: compare and publish a draft with a reason, try a draft, migrate a running case after its preview."""

from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.workflow.models import Case, ProcessDefinition, Task
from app.workflow.services import cases
from tests.conftest import user_for
from tests.modeler.draft_helpers import draft_from
from tests.modeler.test_migration import NEW_STEP
from tests.workflow.helpers import load_process


def test_publish_page_shows_the_changes_and_needs_a_reason(as_role):
    [v1] = load_process("engine")
    v2 = draft_from(v1, NEW_STEP)
    db.session.commit()
    v2_id = v2.id
    legal = as_role(Role.LEGAL)
    page = legal.get(f"/versions/{v2_id}/publish").get_data(as_text=True)
    assert "分管领导会签" in page and "局领导审批" in page and "领导审批 → 局领导审批" in page
    refused = legal.post(f"/versions/{v2_id}/publish", data={"reason": ""})
    assert refused.status_code == 400 and "请填写发布原因" in refused.get_data(as_text=True)
    assert db.session.get(ProcessDefinition, v2_id).status == "draft"
    done = legal.post(f"/versions/{v2_id}/publish", data={"reason": "增加会签"})
    assert done.status_code == 302
    assert db.session.get(ProcessDefinition, v2_id).status == "published"
    assert as_role(Role.INSPECTOR).get(f"/versions/{v2_id}/publish").status_code == 403


def test_trial_button_starts_a_marked_case_for_its_starter(as_role):
    [v1] = load_process("engine")
    v2 = draft_from(v1, NEW_STEP)
    db.session.commit()
    db.session.commit()
    v2_id = v2.id
    legal = as_role(Role.LEGAL)
    assert "试用此草稿" in legal.get(f"/processes/{v2_id}").get_data(as_text=True)
    response = legal.post(f"/versions/{v2_id}/trial")
    case = db.session.scalars(select(Case).where(Case.trial.is_(True))).one()
    assert response.headers["Location"].endswith(f"/cases/{case.id}")


def test_migrate_page_previews_then_moves_one_case_with_a_reason(as_role):
    [v1] = load_process("engine")
    legal_user = user_for(Role.LEGAL)
    case = cases.start_case(legal_user, "test_approval", "迁移页面测试", {"rounds": 0})
    v2 = draft_from(v1, NEW_STEP)
    v2.status = "published"
    v1.status = "retired"
    db.session.commit()
    case_id, v1_id, v2_id = case.id, v1.id, v2.id
    legal = as_role(Role.LEGAL)
    page = legal.get(f"/versions/{v2_id}/migrate").get_data(as_text=True)
    assert "迁移页面测试" in page and "可以迁移" in page and "填写申请" in page
    assert legal.post(f"/versions/{v2_id}/migrate", data={"case_id": case_id, "reason": ""}).status_code == 400
    assert db.session.get(Case, case_id).definition_id == v1_id
    response = legal.post(f"/versions/{v2_id}/migrate", data={"case_id": case_id, "reason": "新流程"})
    assert response.status_code == 302
    assert db.session.get(Case, case_id).definition_id == v2_id
    assert db.session.scalars(select(Task).where(Task.case_id == case_id)).one().state == "ready"


def test_publishing_an_invalid_draft_names_the_element_in_chinese_and_publishes_nothing(as_role):
    [v1] = load_process("engine")
    v2 = draft_from(v1, NEW_STEP)
    good = ('id="countersign" name="分管领导会签"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="form" value="test_approve" />')
    v2.files = {k: v.replace(good, good.replace("test_approve", "no_such_form")) for k, v in v2.files.items()}
    db.session.commit()
    v2_id = v2.id
    legal = as_role(Role.LEGAL)
    response = legal.post(f"/versions/{v2_id}/publish", data={"reason": "增加会签"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "分管领导会签" in page and "表单“no_such_form”不存在" in page
    assert "does not exist" not in page
    assert db.session.get(ProcessDefinition, v2_id).status == "draft"
