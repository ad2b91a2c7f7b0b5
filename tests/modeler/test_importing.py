"""Importing .bpmn/.dmn files drawn elsewhere into a new draft: hardened parsing, size limit, clear errors, layout."""

import io

import pytest

from app.auth.roles import Role
from app.extensions import db
from app.modeler.services import importing, layout
from app.workflow.models import ProcessDefinition
from app.workflow.services import definitions
from tests.conftest import user_for

NEW_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collab">
    <bpmn:participant id="Pool" name="线索登记" processRef="clue_register"/>
  </bpmn:collaboration>
  <bpmn:process id="clue_register" name="线索登记" isExecutable="{executable}">
    <bpmn:laneSet id="ls"><bpmn:lane id="Lane_legal" name="法制科">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>register</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s" name="收到线索"/>
    <bpmn:userTask id="register" name="登记线索" camunda:assignee="nobody">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="{form}"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="e" name="已登记"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="register"/>
    <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _bpmn(executable="true", form="case_filing_request"):
    return NEW_PROCESS.replace("{executable}", executable).replace("{form}", form).encode()


def _import(files, **kwargs):
    kwargs.setdefault("reason", "导入测试")
    return importing.import_files(user_for(Role.LEGAL), [importing.Upload(n, d) for n, d in files], **kwargs)


def test_a_new_process_drawn_elsewhere_becomes_a_laid_out_draft():
    result = _import([("clue.bpmn", _bpmn())])
    draft = result.draft
    assert (draft.process_id, draft.name, draft.status, draft.version) == ("clue_register", "线索登记", "draft", 1)
    assert result.laid_out == ["clue.bpmn"] and layout.missing_layout(draft.files["clue.bpmn"]) == []
    assert "case_filing_request" in draft.forms  # the form it names is taken from the other processes


def test_without_auto_layout_it_warns():
    result = _import([("clue.bpmn", _bpmn())], auto_layout=False)
    assert [w.code for w in result.warnings] == ["no_layout"]


@pytest.mark.parametrize("name, data, code, line", [
    ("clue.bpmn", _bpmn(executable="false"), "import_not_executable", None),
    ("clue.bpmn", _bpmn(form="no_such_form"), "form_unknown", None),
    ("clue.txt", b"<x/>", "import_type", None),
    ("clue.bpmn", b"<?xml version='1.0'?>\n<bpmn:definitions", "xml", 2),
    ("clue.bpmn", b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>',
     "xml", 2),
    ("clue.bpmn", "中文".encode("gbk"), "import_encoding", None),
    ("big.bpmn", b" " * 5000, "too_large", None),
])
def test_bad_uploads_are_refused_with_a_precise_problem(name, data, code, line):
    before = db.session.query(ProcessDefinition).count()
    with pytest.raises(importing.ImportRefused) as caught:
        _import([(name, data)], max_bytes=4096)
    problem = caught.value.problems[0]
    assert problem.code == code and problem.message_zh
    if line:
        assert problem.line == line
    if code == "form_unknown":
        assert problem.element_id == "register"
    db.session.flush()
    assert db.session.query(ProcessDefinition).count() == before


def test_a_decision_table_alone_goes_into_a_new_draft_of_the_chosen_process():
    published = definitions.published("case_handling")
    dmn = published.files["major_decision.dmn"].replace("&gt;= 10000", "&gt;= 30000")
    with pytest.raises(importing.ImportRefused) as caught:
        _import([("major_decision.dmn", dmn.encode())])
    assert caught.value.problems[0].code == "import_target"
    result = _import([("major_decision.dmn", dmn.encode())], target_process="case_handling")
    assert result.draft.process_id == "case_handling" and result.draft.based_on_id == published.id
    assert "&gt;= 30000" in result.draft.files["major_decision.dmn"]
    assert result.draft.files["case_handling.bpmn"] == published.files["case_handling.bpmn"]


def test_upload_page(as_role):
    client = as_role(Role.LEGAL)
    assert "导入流程图" in client.get("/processes/import").get_data(as_text=True)
    refused = client.post("/processes/import", data={"reason": "试", "auto_layout": "1",
                                                     "files": (io.BytesIO(_bpmn(form="nope")), "clue.bpmn")},
                          content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "表单“nope”不存在" in text and "[register 登记线索]" in text
    done = client.post("/processes/import", data={"reason": "新流程", "auto_layout": "1",
                                                  "files": (io.BytesIO(_bpmn()), "clue.bpmn")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已自动排布" in page and "线索登记" in page
    again = client.post("/processes/import", data={"reason": "再来", "auto_layout": "1",
                                                   "files": (io.BytesIO(_bpmn()), "clue.bpmn")},
                        content_type="multipart/form-data")
    assert again.status_code == 409 and "打开该草稿" in again.get_data(as_text=True)
    no_reason = client.post("/processes/import", data={"files": (io.BytesIO(_bpmn()), "clue.bpmn")},
                            content_type="multipart/form-data")
    assert no_reason.status_code == 422 and "请填写导入原因" in no_reason.get_data(as_text=True)
