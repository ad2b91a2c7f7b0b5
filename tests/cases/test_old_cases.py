"""A case started on forms older than its documents' required fields: the step that issues the document asks for
the missing data (fields taken from the newest forms) and refuses in Chinese naming them — never a crash."""

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.bureaus import context
from app.documents.models import Document
from app.errors import ValidationFailed
from app.extensions import db
from app.workflow.models import Task
from app.workflow.services import cases, definitions
from tests.cases.helpers import FILE, INVESTIGATE, do, ready, report
from tests.conftest import CITY_BUREAU_ID, user_for

ROOT = Path(__file__).resolve().parents[2]
# What the filing and report forms lacked before the documents' required fields were added (commit d77c38f).
OLD_FILE_LACKS = ("party_credit_code", "party_legal_rep", "party_id_no", "party_address", "party_phone")
OLD_REPORT_LACKS = ("discretion_reason",)


def _strip(schema, keys):
    for key in keys:
        schema["properties"].pop(key, None)
    schema["required"] = [k for k in schema.get("required", []) if k not in keys]
    schema.pop("allOf", None)
    ui = schema.get("ui", {})
    if "order" in ui:
        ui["order"] = [k for k in ui["order"] if k not in keys]
    return schema


def _old_case(tmp_path):
    """A case started on the old forms, then the current version published again (as after an upgrade)."""
    current = definitions.published("case_handling")
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    for name, keys in (("ch_file", OLD_FILE_LACKS), ("ch_report", OLD_REPORT_LACKS)):
        path = forms / f"{name}.json"
        path.write_text(json.dumps(_strip(json.loads(path.read_text(encoding="utf-8")), keys), ensure_ascii=False),
                        encoding="utf-8")
    definitions.load_folder(None, ROOT / "processes", forms)
    old = definitions.published("case_handling")
    assert old.id != current.id and "party_address" not in old.forms["ch_file"]["properties"]
    case = cases.start_case(user_for(Role.LEGAL), "case_handling", "旧案件（旧表单）", {})
    definitions.publish_version(None, current)
    assert case.definition_id == old.id
    return case.id


OLD_FILE = {k: v for k, v in FILE.items() if k not in OLD_FILE_LACKS}


def _task_id(case_id, element):
    return db.session.scalar(select(Task.id).where(Task.case_id == case_id, Task.element_id == element,
                                                   Task.state == "ready"))


def test_the_filing_step_of_an_old_case_asks_for_what_its_document_needs(tmp_path, as_role):
    case_id = _old_case(tmp_path)
    with pytest.raises(ValidationFailed) as caught:
        do(case_id, "file", Role.LEGAL, OLD_FILE)  # the old data shape: no address, no credit code
    assert {"party_address", "party_credit_code", "party_legal_rep"} <= set(caught.value.errors)
    assert not db.session.scalars(select(Document).where(Document.case_id == case_id)).first()

    task_id = _task_id(case_id, "file")
    db.session.commit()  # the requests below read what is committed (a savepoint release inside the test)
    client = as_role(Role.LEGAL)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "当事人地址（补充）" in page and "统一社会信用代码（补充）" in page
    assert "缺少生成文书所需的" in page and "《立案审批表》需要" in page
    assert "身份证件号码" not in page  # a unit: only what this party's documents need

    form = {"f.party_name": FILE["party_name"], "f.party_type": "unit", "f.source": "complaint",
            "f.facts": FILE["facts"], "f.legal_basis": FILE["legal_basis"],
            "f.investigators.0.certificate_no": "示档执2026001", "f.investigators.1.certificate_no": "示档执2026002"}
    refused = client.post(f"/tasks/{task_id}", data=form)
    assert refused.status_code == 400  # not a crash: the fields are marked, what was typed is kept
    text = refused.get_data(as_text=True)
    assert "提交的内容有误" in text and FILE["facts"] in text
    done = client.post(f"/tasks/{task_id}", data={**form, "f.party_address": FILE["party_address"],
                                                   "f.party_credit_code": FILE["party_credit_code"],
                                                   "f.party_legal_rep": FILE["party_legal_rep"]})
    assert done.status_code in (302, 303), done.get_data(as_text=True)[:2000]
    with context.use(context.for_bureau(CITY_BUREAU_ID)):  # outside the requests: the city bureau's scope
        approval = db.session.scalar(select(Document).where(Document.case_id == case_id,
                                                            Document.doc_type == "filing_approval"))
        assert approval is not None
        assert cases.case_data(cases.get_case(case_id))["party_address"] == FILE["party_address"]


def test_a_later_step_takes_the_missing_field_from_the_newest_form(tmp_path):
    case_id = _old_case(tmp_path)
    do(case_id, "file", Role.LEGAL, FILE)  # filled in as the supplement asks
    do(case_id, "approve_filing", Role.LEADER, {"filing_decision": "approve", "filing_opinion": "同意立案"})
    do(case_id, "investigate", Role.INSPECTOR, INVESTIGATE)
    old_report = {k: v for k, v in report(20000).items() if k not in OLD_REPORT_LACKS}
    with pytest.raises(ValidationFailed) as caught:
        do(case_id, "report", Role.INSPECTOR, old_report)
    assert list(caught.value.errors) == ["discretion_reason"]
    schema = cases.form_schema(db.session.get(Task, _task_id(case_id, "report")))
    assert schema["properties"]["discretion_reason"]["title"] == "裁量情节（补充）"
    do(case_id, "report", Role.INSPECTOR, {**old_report, "discretion_reason": "初次违法，积极配合"})
    assert ready(case_id) == ["prior_notice"]


def test_a_current_case_gets_no_extra_fields():
    from tests.cases.helpers import start
    case_id = start()
    schema = cases.form_schema(db.session.get(Task, _task_id(case_id, "file")))
    assert not [k for k, p in schema["properties"].items() if p.get("x-supplement")]
