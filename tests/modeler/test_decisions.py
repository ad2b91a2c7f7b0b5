"""Decision tables: entries checked against column types, coverage (missing, overlapping, unreachable rules),
edited in the browser form and saved into a draft; a raised fine threshold changes what is major."""

import copy

import pytest

from app.auth.roles import Role
from app.extensions import db
from app.modeler.services import dmn, dmn_check, drafts
from app.workflow.services import definitions
from tests.conftest import user_for


def _table():
    definition = definitions.published("case_handling")
    [table] = dmn.read_tables("major_decision.dmn", definition.files["major_decision.dmn"])
    return table


def test_the_shipped_table_is_clean():
    assert dmn_check.check_table(_table()) == []


@pytest.mark.parametrize("entry, type_ref, ok", [
    ("", "number", True), ("-", "string", True), (">= 10000", "number", True), ("10000", "number", True),
    ('"fine"', "string", True), ('!= "person"', "string", True), ('"a", "b"', "string", True),
    ("True", "boolean", True), (">= ten", "number", False), ('"fine"', "number", False), ("fine", "string", False),
    ("1", "boolean", False), (">= 1 and", "number", False), ('> "x"', "string", False),
])
def test_entries_fit_their_column_type(entry, type_ref, ok):
    test, problem = dmn_check.parse_entry(entry, type_ref)
    assert (test is not None) == ok, problem
    if not ok:
        assert problem  # a Chinese hint


def test_type_errors_name_rule_and_column():
    table = _table()
    table.rules[1].inputs[2] = ">= 一万"
    table.rules[2].outputs[0] = "是"
    findings = dmn_check.check_table(table)
    assert [(f.code, f.rule, f.column, f.error) for f in findings] == [
        ("dmn_entry", 2, "罚款金额（元）", True), ("dmn_output", 3, "重大执法决定", True)]
    assert "应为数字" in findings[0].detail


def test_missing_overlapping_and_unreachable_rules_are_reported():
    table = _table()
    without_catch_all = copy.deepcopy(table)
    del without_catch_all.rules[3]
    [missing] = dmn_check.check_table(without_catch_all)
    assert missing.code == "dmn_missing" and not missing.error and "超出裁量基准 = 否" in missing.detail
    unique = copy.deepcopy(table)
    unique.hit_policy = "UNIQUE"
    codes = [(f.code, f.error) for f in dmn_check.check_table(unique)]
    assert ("dmn_overlap", True) in codes
    shadowed = copy.deepcopy(table)
    shadowed.rules.insert(0, dmn.Rule("all", "全部", ["", "", "", ""], ["False"]))
    assert [(f.code, f.rule) for f in dmn_check.check_table(shadowed)] == [
        ("dmn_unreachable", 2), ("dmn_unreachable", 3), ("dmn_unreachable", 4), ("dmn_unreachable", 5)]


def test_written_table_round_trips_and_parses_in_the_engine():
    from app.workflow.services import lint

    definition = definitions.published("case_handling")
    table = _table()
    table.rules[1].inputs[2] = ">= 20000"
    table.rules.append(dmn.Rule("", "新规则", ['"suspend"', "", "", ""], ["True"]))
    xml = dmn.write_table(definition.files["major_decision.dmn"], table)
    [again] = dmn.read_tables("major_decision.dmn", xml)
    assert again.rules[1].inputs[2] == ">= 20000" and again.rules[-1].description == "新规则"
    assert len({r.id for r in again.rules}) == 5
    files = {**definition.files, "major_decision.dmn": xml}
    assert lint.lint_bundle(files, set(definition.forms), "case_handling") == []


def _form_for(table, **changes):
    data = {"hit_policy": table.hit_policy, "rows": str(len(table.rules)), "revision": "1", "reason": "调整标准"}
    for j, c in enumerate(table.inputs):
        data[f"in{j}.label"], data[f"in{j}.type"] = c.label, c.type_ref
    for k, c in enumerate(table.outputs):
        data[f"out{k}.label"], data[f"out{k}.type"] = c.label, c.type_ref
    for i, rule in enumerate(table.rules):
        data[f"r{i}.id"], data[f"r{i}.desc"] = rule.id, rule.description
        for j, entry in enumerate(rule.inputs):
            data[f"r{i}.in{j}"] = entry
        for k, entry in enumerate(rule.outputs):
            data[f"r{i}.out{k}"] = entry
    data.update(changes)
    return data


def test_editor_saves_a_raised_threshold_into_the_draft(as_role):
    client = as_role(Role.LEGAL)
    source = definitions.published("case_handling")
    source_id, source_dmn = source.id, source.files["major_decision.dmn"]
    draft = drafts.new_draft(user_for(Role.LEGAL), source)
    db.session.commit()
    url = f"/processes/{draft.id}/decisions/major_decision.dmn/major_decision"
    page = client.get(url).get_data(as_text=True)
    assert 'name="r1.in2" value="&gt;= 10000"' in page and "罚款" in page
    table = _table()
    # a mistyped entry: refused with a Chinese message, what was typed is kept
    response = client.post(url, data=_form_for(table, **{"r1.in2": ">= 两万", "action": "save"}))
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "第 2 条规则" in text and 'value="&gt;= 两万"' in text
    # add a row, then check: reachable / missing shown without saving
    response = client.post(url, data=_form_for(table, action="add"))
    assert 'name="r4.in0"' in response.get_data(as_text=True)
    response = client.post(url, data=_form_for(table, action="check"))
    assert "检查通过" in response.get_data(as_text=True)
    # save the raised threshold
    response = client.post(url, data=_form_for(table, **{"r1.in2": ">= 20000", "action": "save"}))
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(type(draft), draft.id)
    assert "&gt;= 20000" in saved.files["major_decision.dmn"] and saved.revision == 2
    assert source_dmn != saved.files["major_decision.dmn"]
    # a published version cannot be edited
    assert client.get(f"/processes/{source_id}/decisions/major_decision.dmn/major_decision").status_code == 302


def test_major_decision_follows_the_edited_table_once_published():
    from app.workflow.services import cases, legal_review

    legal = user_for(Role.LEGAL)
    source = definitions.published("case_handling")
    draft = drafts.new_draft(legal, source)
    table = _table()
    table.rules[1].inputs[2] = ">= 20000"
    drafts.save_draft(legal, draft, revision=1, reason="提高门槛",
                      files={"major_decision.dmn": dmn.write_table(draft.files["major_decision.dmn"], table)})
    definitions.publish_version(legal, draft)
    assert definitions.published("case_handling").id == draft.id
    case = cases.start_case(legal, "case_handling", "门槛测试")
    assert case.definition_id == draft.id
    fine = {"decision_type": "fine", "party_type": "person", "fine_amount": 15000, "beyond_discretion": False}
    assert legal_review.is_major(case, fine) is False  # was major under the old threshold of 10,000
    assert legal_review.is_major(case, {**fine, "fine_amount": 25000}) is True
    old_case = cases.start_case(legal, "case_handling", "旧版本")
    old_case.definition = source
    assert legal_review.is_major(old_case, fine) is True
