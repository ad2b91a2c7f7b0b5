"""Versioned definitions: idempotent loading, validation with precise problems, pinning cases to versions."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.extensions import db
from app.workflow.models import ProcessDefinition
from app.workflow.services import cases, definitions, lint
from app.workflow.services.runtime import load
from app.workflow.services.sandbox import RestrictedEnvironment
from tests.conftest import user_for
from tests.workflow.helpers import DATA, load_process

APPROVAL = (DATA / "engine" / "approval.bpmn").read_text(encoding="utf-8")
FORMS = {"test_draft", "test_approve"}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_loading_is_idempotent():
    first = load_process("engine")
    assert [(d.process_id, d.version, d.status) for d in first] == [("test_approval", 1, "published")]
    assert load_process("engine") == []
    assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)
                             .where(ProcessDefinition.process_id == "test_approval")) == 1


def test_changed_diagram_makes_a_new_version_and_running_cases_stay_pinned(tmp_path):
    load_process("engine")
    case = cases.start_case(user_for(Role.LEGAL), "test_approval", "v1 case", {"rounds": 0})
    folder = tmp_path / "changed"
    shutil.copytree(DATA / "engine", folder)
    bpmn = folder / "approval.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace("领导审批", "领导审批（新）"), encoding="utf-8")
    [v2] = definitions.load_folder(None, folder, folder / "forms")
    assert v2.version == 2 and v2.status == "published"
    v1 = db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == "test_approval",
                                                           ProcessDefinition.version == 1))
    assert v1.status == "retired"
    assert case.definition_id == v1.id
    new_case = cases.start_case(user_for(Role.LEGAL), "test_approval", "v2 case", {"rounds": 0})
    assert new_case.definition_id == v2.id
    # the old case still runs on v1's diagram
    task = next(t for t in db.session.scalars(select(cases.Task).where(cases.Task.case_id == case.id)))
    cases.complete_task(user_for(Role.LEGAL), task.id, {"subject": "s", "amount": 1})
    names = [t.name for t in db.session.scalars(select(cases.Task).where(cases.Task.case_id == case.id))]
    assert "领导审批" in names and "领导审批（新）" not in names


def test_loaded_workflows_get_the_restricted_engine_back():
    load_process("engine")
    case = cases.start_case(user_for(Role.LEGAL), "test_approval", "x", {"rounds": 0})
    workflow = load(case.definition, case.state, case.serializer_version)
    assert isinstance(workflow.script_engine.environment, RestrictedEnvironment)


def test_state_does_not_embed_the_spec():
    load_process("engine")
    case = cases.start_case(user_for(Role.LEGAL), "test_approval", "x", {"rounds": 0})
    assert '"spec"' not in case.state and "领导审批" not in case.state
    assert case.serializer_version


def _problems(xml, forms=FORMS):
    return lint.lint_bundle({"t.bpmn": xml}, forms)


def test_valid_diagram_has_no_problems():
    assert _problems(APPROVAL) == []


@pytest.mark.parametrize(("edit", "code", "element"), [
    (("<bpmn:lane id=\"Lane_leader\" name=\"局领导\">", "<bpmn:lane id=\"Lane_leader\" name=\"财务科\">"),
     "lane_unknown", "approve"),
    (('value="test_approve"', 'value="no_such_form"'), "form_unknown", "approve"),
    (("<bpmn:conditionExpression>approved == True</bpmn:conditionExpression>", ""), "gateway_flow", "f_ok"),
    (("doubled = amount * 2", "doubled = = 2"), "script", "compute"),
    (("doubled = amount * 2", "doubled = __import__('os')"), "script", "compute"),
    (("approved == True", "approved =="), "condition", "f_ok"),
])
def test_each_problem_names_file_line_and_element(edit, code, element):
    problems = _problems(APPROVAL.replace(*edit))
    assert any(p.code == code and p.element_id == element and p.line for p in problems), [p.render() for p in problems]
    rendered = problems[0].render()
    assert rendered.startswith("t.bpmn:") and " / " in rendered  # Chinese / English


def test_bad_timer_expression_is_reported():
    xml = (DATA / "timers" / "reminder.bpmn").read_text(encoding="utf-8").replace('"P5D"', '"five days"')
    problems = lint.lint_bundle({"r.bpmn": xml}, {"test_report"})
    assert [p.code for p in problems] == ["timer"] and problems[0].element_id == "overdue"


def test_missing_called_process_and_decision_are_reported():
    xml = APPROVAL.replace(
        '<bpmn:endEvent id="end">',
        '<bpmn:callActivity id="sub" calledElement="nowhere" /><bpmn:businessRuleTask id="rule">'
        '<bpmn:extensionElements><spiffworkflow:calledDecisionId>no_table</spiffworkflow:calledDecisionId>'
        '</bpmn:extensionElements></bpmn:businessRuleTask><bpmn:endEvent id="end">')
    codes = {p.code: p.element_id for p in _problems(xml)}
    assert codes.get("called_process") == "sub" and codes.get("decision") == "rule"


def test_not_well_formed_xml_names_the_line():
    broken = APPROVAL.replace("</bpmn:userTask>", "</bpmn:usertask>", 1)
    [problem] = _problems(broken)
    assert problem.code == "xml" and problem.line and problem.line > 1


def test_xsd_invalid_names_the_line():
    invalid = APPROVAL.replace('<bpmn:startEvent id="start">', '<bpmn:startEvent id="start" bogus="1">')
    [problem] = _problems(invalid)
    assert problem.code == "xsd" and problem.line == APPROVAL.splitlines().index(
        next(line for line in APPROVAL.splitlines() if '<bpmn:startEvent id="start">' in line)) + 1


def test_doctype_and_entities_are_refused():
    xxe = APPROVAL.replace('<?xml version="1.0" encoding="UTF-8"?>',
                           '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    [problem] = _problems(xxe)
    assert problem.code == "xml" and "DOCTYPE" in problem.message_zh


def test_invalid_bundle_writes_nothing(tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(DATA / "engine", folder)
    (folder / "approval.bpmn").write_text(APPROVAL.replace("doubled = amount * 2", "doubled = ="), encoding="utf-8")
    events_before, definitions_before = _count(AuditEvent), _count(ProcessDefinition)
    with pytest.raises(definitions.DefinitionInvalid) as caught:
        definitions.load_folder(None, folder, folder / "forms")
    assert caught.value.problems[0].element_id == "compute"
    assert _count(ProcessDefinition) == definitions_before and _count(AuditEvent) == events_before


def test_cli_validate_exits_nonzero_with_the_problem_list(app, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text(APPROVAL.replace('value="test_approve"', 'value="missing_form"'), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["process", "validate", str(bad), "--forms", str(DATA / "engine" / "forms")])
    assert result.exit_code == 1
    assert "bad.bpmn:" in result.output and "[approve 领导审批]" in result.output and "missing_form" in result.output
    good = runner.invoke(args=["process", "validate", str(DATA / "engine" / "approval.bpmn"),
                               "--forms", str(DATA / "engine" / "forms")])
    assert good.exit_code == 0


def test_repository_processes_validate(app):
    root = Path(__file__).resolve().parents[2]
    files, forms, problems = definitions.read_folder(root / "processes", root / "forms")
    assert problems == []
    bundles, problems = definitions.bundles_from_files(files, forms)
    assert problems == [] and bundles
    for bundle in bundles:
        assert definitions.validate_bundle(bundle, set(forms)) == []
