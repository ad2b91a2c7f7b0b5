"""The process version page: diagram drawn from the file, lanes → roles, each step explained, downloads."""

import io
import json
import re
import zipfile

from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.modeler.services import dmn, elements
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions


def _version(process_id):
    return db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
                             .order_by(ProcessDefinition.version.desc()).limit(1))


def test_elements_are_described_in_words():
    definition = _version("random_inspection")
    [view] = elements.describe_files(definition.files, "random_inspection")
    by_id = {e.id: e for e in view.elements}
    plan = by_id["plan"]
    assert plan.role == "inspector" and plan.lane == "执法检查人员"
    assert plan.form_key == "ri_plan" and plan.documents == [("inspection_notice", "检查通知书")]
    assert (plan.due.msgid % plan.due.params) == "10 个工作日内"
    assert plan.assignees.msgid == "抽取确定的检查组成员"
    outcome = by_id["gw_outcome"]
    assert [(b.name, b.target_name, b.is_default) for b in outcome.branches] == [
        ("未发现违法行为", "未发现违法行为", True), ("发现问题", "责令限期改正", False),
        ("涉嫌违法", "移送立案", False)]
    assert by_id["register_transfer"].starts_process == "case_handling"
    assert by_id["feedback"].records_result is True
    assert by_id["overdue"].attached_to == "登记单位整改报告" and by_id["overdue"].interrupting is False
    assert by_id["overdue"].timer.msgid == "按流程中计算的时间"
    assert view.elements[0].id == "start"  # flow order
    assert ("专家", "expert") in view.lanes


def test_due_and_timer_phrases():
    assert elements.describe_expression("add_working_days(now(), 7)").params == {"days": "7"}
    timer = elements.describe_expression("iso(add_working_days(now(), 7))", timer=True)
    assert timer.msgid == "%(days)s 个工作日后"
    assert elements.describe_expression("now() + timedelta(days=15)").msgid == "%(days)s 日内（自然日）"
    assert elements.describe_expression("'P5D'", timer=True).params == {"days": "5"}


def test_decision_table_is_read_as_rows():
    definition = _version("case_handling")
    [table] = dmn.read_tables("major_decision.dmn", definition.files["major_decision.dmn"])
    assert table.hit_policy == "FIRST" and [c.label for c in table.inputs][:2] == ["拟作出的决定", "当事人类型"]
    assert len(table.rules) == 4 and table.rules[1].inputs[2] == ">= 10000"
    labels = dmn.value_labels(definition.forms)
    assert dmn.describe_entry('"fine"', labels["decision_type"]).startswith("罚款")
    assert dmn.describe_entry(">= 100000") == "≥ 100,000"
    assert dmn.describe_entry("") == "任意" and dmn.describe_entry("True") == "是"


def test_version_page_draws_the_diagram_and_explains_steps(as_role):
    definition = _version("case_handling")
    definition_id = definition.id
    page = as_role(Role.LEGAL).get(f"/processes/{definition.id}").get_data(as_text=True)
    assert f'data-diagram-src="/processes/{definition_id}/files/case_handling.bpmn"' in page
    assert "vendor/build/diagram.js" in page
    assert "&lt;bpmn:definitions" not in page and "<bpmn:" not in page  # no raw XML
    assert 'data-testid="lane-roles"' in page and "局领导" in page
    # the no-JS step table and the click panel templates
    assert 'data-element-detail="report"' in page and "调查终结报告" in page
    assert "7 个工作日内" in page and "罚款金额（元）" in page
    # the decision table as a table: 罚款 rather than "fine", ≥ 10,000
    assert 'data-decision="major_decision"' in page and "≥ 10,000" in page and "罚款" in page
    assert "首条命中" in page
    assert re.search(r"第 \d+ 版", page) and ">draft<" not in page


def test_version_page_in_english(as_role):
    client = as_role(Role.AUDITOR)
    client.post("/lang/en", data={"next": "/"})
    definition = _version("case_filing")
    page = client.get(f"/processes/{definition.id}").get_data(as_text=True)
    assert "Lanes and roles" in page and "Within 7 working days" in page


def test_files_download_one_by_one_and_as_zip(as_role):
    definition = _version("case_handling")
    files, forms = dict(definition.files), dict(definition.forms)
    client = as_role(Role.AUDITOR)
    response = client.get(f"/processes/{definition.id}/files/case_handling.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.get_data(as_text=True) == files["case_handling.bpmn"]
    form = client.get(f"/processes/{definition.id}/files/forms/ch_report.json")
    assert json.loads(form.get_data(as_text=True)) == forms["ch_report"]
    assert "attachment" in form.headers["Content-Disposition"]
    assert client.get(f"/processes/{definition.id}/files/nothing.bpmn").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/processes/{definition.id}/bundle.zip").data))
    names = set(archive.namelist())
    assert {"processes/case_handling.bpmn", "processes/legal_review.bpmn", "processes/major_decision.dmn",
            "forms/ch_report.json"} <= names
    assert archive.read("processes/major_decision.dmn").decode() == files["major_decision.dmn"]


def test_every_shipped_version_page_renders(as_role):
    client = as_role(Role.LEGAL)
    for definition in definitions.list_definitions():
        assert client.get(f"/processes/{definition.id}").status_code == 200


def test_a_draft_page_marks_problems_on_the_diagram(as_role):
    from app.modeler.services import drafts
    from tests.conftest import user_for

    draft = drafts.new_draft(user_for(Role.LEGAL), definitions.published("case_filing"))
    # a draft saved before a rule existed (or loaded with `process load --draft`) may hold problems
    draft.files = {**draft.files, "case_filing.bpmn": draft.files["case_filing.bpmn"].replace(
        "<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>", "")}
    db.session.commit()
    draft_id = draft.id
    page = as_role(Role.LEGAL).get(f"/processes/{draft_id}").get_data(as_text=True)
    assert 'data-testid="draft-problems"' in page and "用户任务不在任何泳道中" in page
    assert "data-diagram-markers='{\"approve\": \"diagram-problem\"}'" in page
    assert '"title": "用户任务不在任何泳道中' in page or "用户任务不在任何泳道中，无法确定" in page


def test_editor_pages_in_english(as_role):
    from app.modeler.services import drafts
    from tests.conftest import user_for

    draft = drafts.new_draft(user_for(Role.LEGAL), definitions.published("case_handling"))
    db.session.commit()
    draft_id = draft.id
    client = as_role(Role.LEGAL)
    client.post("/lang/en", data={"next": "/"})
    form_page = client.get(f"/processes/{draft_id}/forms/ch_file/edit").get_data(as_text=True)
    assert "Add a field" in form_page and "Preview (as the task page shows it)" in form_page
    table_page = client.get(f"/processes/{draft_id}/decisions/major_decision.dmn/major_decision").get_data(as_text=True)
    assert "Add a rule" in table_page and "First (the first matching rule in order)" in table_page
    assert "Import diagrams" in client.get("/processes/import").get_data(as_text=True)
    assert "This is a draft" in client.get(f"/processes/{draft_id}").get_data(as_text=True)
