"""The form editor: every shipped form survives a round trip, edits are validated per field, the preview is the task
page's own renderer, saving goes into the draft."""

import json
from pathlib import Path

import pytest

from app.auth.roles import Role
from app.extensions import db
from app.modeler.services import drafts, form_editor
from app.modeler.services.form_editor import FieldSpec, FormInvalid
from app.workflow.forms_web import render_fields
from app.workflow.services import definitions
from tests.conftest import user_for

FORMS = sorted((Path(__file__).resolve().parents[2] / "forms").glob("*.json"))


def _shape(schema):
    shape = []
    for f in render_fields(schema, {}, {}, "zh_CN"):
        item = (f["name"], f["widget"], f["label"], f["required"], tuple(f["options"]), f["help"])
        if f["widget"] == "rows":
            item += tuple((c["name"], c["widget"], c["label"], c["required"], tuple(c["options"]))
                          for c in f["columns"])
        shape.append(item)
    return shape


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.stem)
def test_every_shipped_form_round_trips_through_the_editor(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    specs = form_editor.fields_from_schema(schema)
    for spec in specs:
        if spec.kind == "rows":
            spec.columns, errors = form_editor.parse_columns(form_editor.columns_text(spec.columns))
            assert errors == []
    again = form_editor.schema_from_fields(schema, schema["title"], schema.get("instructions", ""), specs)
    assert _shape(again) == _shape(schema)
    assert again.get("title_en") == schema.get("title_en")  # what the editor does not show is kept


def test_edits_build_the_schema_dialect():
    specs = [FieldSpec("amount", "罚款金额", "number", True),
             FieldSpec("kind", "决定类型", "radio", True, "fine|罚款\nwarning|警告"),
             FieldSpec("areas", "检查方面", "checkboxes", False, "库房\n人员"),
             FieldSpec("confirmed", "已核对", "checkbox", True),
             FieldSpec("items", "证据", "rows", True, columns=form_editor.parse_columns(
                 "name|名称|text|必填\nkind|类别|select||doc=书证;photo=照片")[0]),
             FieldSpec("files", "附件", "files"), FieldSpec("note", "说明", "textarea", False, help="写明理由",
                                                          max_length="300")]
    schema = form_editor.schema_from_fields({}, "处罚决定", "", specs)
    props = schema["properties"]
    assert props["amount"] == {"title": "罚款金额", "type": "number"}
    assert props["kind"]["enum"] == ["fine", "warning"] and props["kind"]["enumNames"] == ["罚款", "警告"]
    assert schema["ui"]["widgets"]["kind"] == "radio" and schema["ui"]["widgets"]["note"] == "textarea"
    assert props["areas"]["items"]["enum"] == ["库房", "人员"]
    assert props["confirmed"]["const"] is True
    assert props["items"]["items"]["properties"]["kind"]["enumNames"] == ["书证", "照片"]
    assert props["items"]["items"]["required"] == ["name"]
    assert props["files"]["items"]["format"] == "attachment"
    assert props["note"]["maxLength"] == 300 and schema["ui"]["help"] == {"note": "写明理由"}
    assert schema["ui"]["order"] == ["amount", "kind", "areas", "confirmed", "items", "files", "note"]
    assert set(schema["required"]) == {"amount", "kind", "confirmed", "items"}
    assert [f["widget"] for f in render_fields(schema, {}, {}, "zh_CN")] == [
        "number", "radio", "checkboxes", "checkbox", "rows", "files", "textarea"]


def test_bad_edits_name_the_field():
    specs = [FieldSpec("Bad name", "x", "text"), FieldSpec("dup", "", "text"), FieldSpec("dup", "y", "select"),
             FieldSpec("n", "长度", "text", max_length="abc")]
    with pytest.raises(FormInvalid) as caught:
        form_editor.schema_from_fields({}, "", "", specs)
    errors = caught.value.errors
    assert set(errors) == {"title", "f0.name", "f1.label", "f2.name", "f2.options", "f3.max_length"}
    _columns, column_errors = form_editor.parse_columns("a|甲|colour")
    assert column_errors and "colour" in column_errors[0][0] % column_errors[0][1]


def _editor_data(schema, key, **changes):
    data = {"key": key, "title": schema["title"], "instructions": schema.get("instructions", ""), "revision": "1",
            "reason": "增加字段"}
    specs = form_editor.fields_from_schema(schema)
    data["fields"] = str(len(specs))
    for i, s in enumerate(specs):
        data.update({f"f{i}.name": s.name, f"f{i}.orig": s.original, f"f{i}.label": s.label, f"f{i}.kind": s.kind,
                     f"f{i}.options": s.options, f"f{i}.help": s.help, f"f{i}.max_length": s.max_length,
                     f"f{i}.columns": form_editor.columns_text(s.columns)})
        if s.required:
            data[f"f{i}.required"] = "1"
    data.update(changes)
    return data


def test_editor_page_preview_and_save(as_role):
    client = as_role(Role.LEGAL)
    draft = drafts.new_draft(user_for(Role.LEGAL), definitions.published("case_filing"))
    db.session.commit()
    key = "case_filing_approval"
    schema = dict(draft.forms[key])
    url = f"/processes/{draft.id}/forms/{key}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="form-preview"' in page and 'name="f.decision"' in page  # the task renderer's own names
    # add a field: a new card appears, the preview follows
    n = len(schema["properties"])
    added = client.post(url, data=_editor_data(schema, key, action="add")).get_data(as_text=True)
    assert f'name="f{n}.name"' in added
    data = _editor_data(schema, key, fields=str(n + 1), **{f"f{n}.name": "basis", f"f{n}.label": "审批依据",
                                                          f"f{n}.kind": "textarea", f"f{n}.required": "1"})
    fragment = client.post(f"/processes/{draft.id}/forms/preview", data=data).get_data(as_text=True)
    assert "审批依据" in fragment and 'name="f.basis"' in fragment and "<textarea" in fragment
    # a bad name is refused, everything typed is kept
    bad = client.post(url, data={**data, f"f{n}.name": "审批依据", "action": "save"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "只能用小写英文字母" in text and 'value="审批依据"' in text
    saved = client.post(url, data={**data, "action": "save"})
    assert saved.status_code == 302
    db.session.expire_all()
    stored = db.session.get(type(draft), draft.id)
    assert stored.forms[key]["properties"]["basis"]["title"] == "审批依据" and "basis" in stored.forms[key]["required"]
    assert stored.revision == 2


def test_new_form_in_a_draft(as_role):
    client = as_role(Role.LEGAL)
    draft = drafts.new_draft(user_for(Role.LEGAL), definitions.published("case_filing"))
    db.session.commit()
    refused = client.post(f"/processes/{draft.id}/forms/new", data={"key": "Bad Key", "title": "", "revision": "1"})
    assert refused.status_code == 422 and "表单编号只能用" in refused.get_data(as_text=True)
    created = client.post(f"/processes/{draft.id}/forms/new", data={"key": "cf_extra", "title": "补充材料",
                                                                     "revision": "1"})
    assert created.status_code == 302
    assert created.headers["Location"].endswith(f"/processes/{draft.id}/forms/cf_extra/edit")
    db.session.expire_all()
    assert db.session.get(type(draft), draft.id).forms["cf_extra"]["title"] == "补充材料"


def test_published_forms_cannot_be_edited(as_role):
    published = definitions.published("case_filing")
    response = as_role(Role.LEGAL).get(f"/processes/{published.id}/forms/case_filing_approval/edit")
    assert response.status_code == 302


def test_table_columns_are_edited_column_by_column(as_role):
    client = as_role(Role.LEGAL)
    draft = drafts.new_draft(user_for(Role.LEGAL), definitions.published("case_handling"))
    db.session.commit()
    draft_id, key = draft.id, "ch_file"
    schema = dict(draft.forms[key])
    specs = form_editor.fields_from_schema(schema)
    index = next(i for i, s in enumerate(specs) if s.kind == "rows")
    url = f"/processes/{draft_id}/forms/{key}/edit"
    page = client.get(url).get_data(as_text=True)
    assert f'name="f{index}.c0.label" value="姓名"' in page and f'name="f{index}.ncols" value="2"' in page
    data = _editor_data(schema, key)
    del data[f"f{index}.columns"]
    data[f"f{index}.ncols"] = str(len(specs[index].columns))
    for j, c in enumerate(specs[index].columns):
        data.update({f"f{index}.c{j}.name": c.name, f"f{index}.c{j}.orig": c.original, f"f{index}.c{j}.label": c.label,
                     f"f{index}.c{j}.kind": c.kind, f"f{index}.c{j}.options": c.options})
        if c.required:
            data[f"f{index}.c{j}.required"] = "1"
    added = client.post(url, data={**data, "action": f"addcol:{index}"}).get_data(as_text=True)
    assert f'name="f{index}.c2.label" value=""' in added and "请填写字段的标签" not in added
    data.update({f"f{index}.ncols": "3", f"f{index}.c2.name": "unit", f"f{index}.c2.label": "所在单位",
                 f"f{index}.c2.kind": "select", f"f{index}.c2.options": "city|市档案局\ncounty|县档案局",
                 f"f{index}.c0.delete": "", "action": "save"})
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    item = db.session.get(type(draft), draft_id).forms[key]["properties"][specs[index].name]["items"]
    assert list(item["properties"]) == ["name", "certificate_no", "unit"]
    assert item["properties"]["unit"]["enumNames"] == ["市档案局", "县档案局"]
