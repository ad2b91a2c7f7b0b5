"""The modeler page and its script syntax check."""

from app.auth.roles import Role
from app.extensions import db
from tests.modeler.draft_helpers import draft_from
from tests.workflow.helpers import load_process


def test_script_check_answers_in_chinese_and_refuses_unsafe_code(as_role):
    legal = as_role(Role.LEGAL)
    ok = legal.post("/modeler/check-script", json={"source": "total = amount * 2"}).get_json()
    assert ok["ok"] and "语法正确" in ok["message"]
    bad = legal.post("/modeler/check-script", json={"source": "total = (", "expression": False}).get_json()
    assert not bad["ok"] and "语法错误" in bad["message"]
    unsafe = legal.post("/modeler/check-script", json={"source": "().__class__", "expression": True}).get_json()
    assert not unsafe["ok"]
    assert as_role(Role.INSPECTOR).post("/modeler/check-script", json={"source": "x = 1"}).status_code == 403


def test_editor_opens_a_draft_with_its_choices_and_problems(as_role):
    [v1] = load_process("engine")
    draft = draft_from(v1, [('id="approve" name="领导审批"', 'id="approve" name="审批"')])
    draft.files = {k: v.replace("<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>", "") for k, v in draft.files.items()}
    db.session.commit()
    draft_id, published_id = draft.id, v1.id
    legal = as_role(Role.LEGAL)
    page = legal.get(f"/modeler/{draft_id}/edit").get_data(as_text=True)
    assert 'id="modeler-config"' in page and "vendor/build/modeler.js" in page
    assert '"element_id": "approve"' in page and "用户任务不在任何泳道中" in page
    assert legal.get(f"/modeler/{published_id}/edit").status_code == 302



def test_the_modeler_page_and_panel_words_follow_the_english_ui(as_role):
    [v1] = load_process("engine")
    draft = draft_from(v1, [('id="approve" name="领导审批"', 'id="approve" name="审批"')])
    db.session.commit()
    draft_id = draft.id
    legal = as_role(Role.LEGAL)
    legal.post("/lang/en", data={"next": "/"})
    page = legal.get(f"/modeler/{draft_id}/edit").get_data(as_text=True)
    assert "Save draft" in page and "Compare and publish…" in page
    assert '"due_working": "Within N working days"' in page and '"locale": "en"' in page
    result = legal.post("/modeler/check-script", json={"source": "x = ("}).get_json()
    assert result["message"].startswith("Syntax error")
