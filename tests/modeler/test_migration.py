"""Migrating running cases to a newer published version: preview, refusal with a reason, audited move."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.modeler.services import migration
from app.workflow.models import Case, Task
from app.workflow.services import cases, definitions
from tests.conftest import user_for
from tests.modeler.draft_helpers import draft_from
from tests.workflow.helpers import load_process

NEW_STEP = [
    ("<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>",
     "<bpmn:flowNodeRef>approve</bpmn:flowNodeRef><bpmn:flowNodeRef>countersign</bpmn:flowNodeRef>"),
    ('<bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="decision" />',
     '<bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="countersign" />'
     '<bpmn:userTask id="countersign" name="分管领导会签"><bpmn:extensionElements><spiffworkflow:properties>'
     '<spiffworkflow:property name="form" value="test_approve" /></spiffworkflow:properties></bpmn:extensionElements>'
     '<bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f4b</bpmn:outgoing></bpmn:userTask>'
     '<bpmn:sequenceFlow id="f4b" sourceRef="countersign" targetRef="decision" />'),
    ("<bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f_ok</bpmn:outgoing>",
     "<bpmn:incoming>f4b</bpmn:incoming><bpmn:outgoing>f_ok</bpmn:outgoing>"),
    ('<bpmn:userTask id="approve" name="领导审批">', '<bpmn:userTask id="approve" name="局领导审批">'),
]


def _open(case):
    return list(db.session.scalars(select(Task).where(Task.case_id == case.id, Task.state == "ready")))


@pytest.fixture
def at_approval():
    """A case waiting for the leader's approval on v1, and a published v2 that renames it and adds a step after."""
    [v1] = load_process("engine")
    legal = user_for(Role.LEGAL)
    case = cases.start_case(legal, "test_approval", "迁移测试", {"rounds": 0})
    [first] = _open(case)
    cases.complete_task(legal, first.id, {"subject": "申请", "amount": 5})
    v2 = draft_from(v1, NEW_STEP)
    definitions.publish_version(legal, v2)
    return case, v1, v2


def test_preview_lists_kept_changed_and_added_and_writes_nothing(at_approval):
    case, v1, v2 = at_approval
    state = case.state
    result = migration.preview(case.id, v2.id)
    assert result.safe
    assert [(t.element_id, t.name, t.change) for t in result.tasks] == [("approve", "局领导审批", "changed")]
    assert "分管领导会签" in result.added_elements
    db.session.refresh(case)
    assert case.definition_id == v1.id and case.state == state
    assert [c.id for c in migration.candidates(v2)] == [case.id]


def test_migration_moves_the_case_updates_the_index_and_audits_both_versions(at_approval):
    case, v1, v2 = at_approval
    legal, leader = user_for(Role.LEGAL), user_for(Role.LEADER)
    with pytest.raises(ValidationFailed):
        migration.migrate_case(legal, case.id, v2.id, "  ")
    migration.migrate_case(legal, case.id, v2.id, "增加分管领导会签环节")
    assert case.definition_id == v2.id
    [approve] = _open(case)
    assert approve.name == "局领导审批" and approve.role == "leader"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.migrated")).one()
    assert event.details["from"]["hash"] == v1.content_hash and event.details["to"]["hash"] == v2.content_hash
    assert event.details["reason"] == "增加分管领导会签环节"
    cases.complete_task(leader, approve.id, {"approved": True})
    [countersign] = _open(case)
    assert countersign.element_id == "countersign"  # the case now follows the new version
    assert migration.candidates(v2) == []


def test_a_renamed_element_is_aligned_by_structure_and_kept():
    [v1] = load_process("engine")
    legal = user_for(Role.LEGAL)
    case = cases.start_case(legal, "test_approval", "迁移测试", {"rounds": 0})
    files = {k: v.replace('"draft"', '"fill_in"').replace(">draft<", ">fill_in<") for k, v in v1.files.items()}
    v2 = definitions.add_version(legal, definitions.Bundle(v1.process_id, v1.name, files, v1.forms), publish=True)
    result = migration.preview(case.id, v2.id)
    assert result.safe and [t.name for t in result.tasks] == ["填写申请"]


def test_an_open_task_that_changed_type_is_refused_with_its_name():
    [v1] = load_process("engine")
    legal = user_for(Role.LEGAL)
    case = cases.start_case(legal, "test_approval", "迁移测试", {"rounds": 0})
    files = {k: v.replace('<bpmn:userTask id="draft" name="填写申请">', '<bpmn:manualTask id="draft" name="填写申请">')
             .replace("</bpmn:userTask>", "</bpmn:manualTask>", 1) for k, v in v1.files.items()}
    v2 = definitions.add_version(legal, definitions.Bundle(v1.process_id, v1.name, files, v1.forms), publish=True)
    result = migration.preview(case.id, v2.id)
    assert not result.safe
    assert "填写申请" in str(result.refusals[0]) and "类型" in str(result.refusals[0])
    with pytest.raises(Conflict, match="填写申请"):
        migration.migrate_case(legal, case.id, v2.id, "改名")
    assert case.definition_id == v1.id


def test_only_newer_published_versions_of_the_same_process(at_approval):
    case, v1, v2 = at_approval
    v2.status = "draft"
    assert "已发布" in str(migration.preview(case.id, v2.id).refusals[0])


def test_cli_previews_then_migrates_with_a_reason(app, at_approval):
    case, v1, v2 = at_approval
    db.session.commit()
    case_id, v1_id, v2_id = case.id, v1.id, v2.id
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["case", "migrate", "--to", str(v2_id), "--all", "--preview"])
    assert shown.exit_code == 0 and "可以迁移" in shown.output and "局领导审批" in shown.output
    assert db.session.get(Case, case_id).definition_id == v1_id
    refused = runner.invoke(args=["case", "migrate", str(case_id), "--to", str(v2_id), "--reason", "x"])
    assert refused.exit_code == 2
    done = runner.invoke(args=["case", "migrate", str(case_id), "--to", str(v2_id), "--as", "demo.legal",
                               "--reason", "增加会签"])
    assert done.exit_code == 0, done.output
    assert db.session.get(Case, case_id).definition_id == v2_id


def test_an_open_task_removed_in_the_new_version_is_refused_and_nothing_changes():
    [v1] = load_process("engine")
    legal = user_for(Role.LEGAL)
    case = cases.start_case(legal, "test_approval", "迁移测试", {"rounds": 0})
    state = case.state
    text = next(iter(v1.files.values()))
    start = text.index('<bpmn:userTask id="draft"')
    text = text[:start] + text[text.index("</bpmn:userTask>", start) + len("</bpmn:userTask>"):]
    text = (text.replace("<bpmn:flowNodeRef>draft</bpmn:flowNodeRef>", "")
            .replace('<bpmn:sequenceFlow id="f2" sourceRef="draft" targetRef="compute" />', "")
            .replace('targetRef="draft"', 'targetRef="compute"').replace("<bpmn:incoming>f2</bpmn:incoming>",
                                                                         "<bpmn:incoming>f1</bpmn:incoming>"
                                                                         "<bpmn:incoming>f_back</bpmn:incoming>"))
    v2 = definitions.add_version(legal, definitions.Bundle(v1.process_id, v1.name, {next(iter(v1.files)): text},
                                                           v1.forms), publish=True)
    result = migration.preview(case.id, v2.id)
    assert not result.safe and "填写申请" in str(result.refusals[0]) and "已删除" in str(result.refusals[0])
    with pytest.raises(Conflict):
        migration.migrate_case(legal, case.id, v2.id, "删除填写环节")
    db.session.refresh(case)
    assert case.definition_id == v1.id and case.state == state
