"""Directory pages: lists, filters, edit rights, the object page's history, import preview then confirm, export."""

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from app.auth.roles import Role
from app.directories.models import InspectionObject, InspectionResult
from app.directories.services import records
from app.directories.services.specs import OBJECTS
from app.extensions import db
from tests.conftest import user_for
from tests.directories.helpers import code, object_rows, xlsx


class _Saved:
    """Id and code of a committed record (the ORM object detaches when a request ends the session)."""

    def __init__(self, record):
        self.id, self.credit_code = record.id, record.credit_code


def _object(n):
    record = records.create(user_for(Role.SUPERVISION), OBJECTS, {"name": f"页面单位{n}", "credit_code": code(n),
                                                                  "unit_type": "事业单位", "district": "金安区"})
    saved = _Saved(record)
    db.session.commit()
    return saved


def test_everyone_reads_only_the_keeping_section_edits(as_role):
    record = _object(500)
    reader = as_role(Role.INSPECTOR)
    page = reader.get("/directories/objects/?q=页面单位500").get_data(as_text=True)
    assert "页面单位500" in page and "/directories/objects/new" not in page
    assert reader.get("/directories/objects/new").status_code == 403
    assert reader.post(f"/directories/objects/{record.id}", data={"name": "x"}).status_code == 403
    assert as_role(Role.SUPERVISION).get("/directories/objects/new").status_code == 200


def test_edit_shows_field_errors_and_history(as_role):
    record = _object(501)
    client = as_role(Role.SUPERVISION)
    bad = client.post(f"/directories/objects/{record.id}", data={"name": "", "credit_code": record.credit_code,
                                                                 "unit_type": "institution"})
    assert bad.status_code == 400 and "必填项不能为空" in bad.get_data(as_text=True)
    ok = client.post(f"/directories/objects/{record.id}", data={"name": "改名单位", "credit_code": record.credit_code,
                                                                "unit_type": "institution", "district": "金安区"})
    assert ok.status_code == 302
    page = client.get(f"/directories/objects/{record.id}").get_data(as_text=True)
    assert "directory.updated" in page and "页面单位501" in page and "改名单位" in page


def test_object_page_shows_inspection_history(as_role):
    record = _object(502)
    db.session.add(InspectionResult(object_id=record.id, inspected_on=date(2025, 6, 1), outcome="compliant",
                                    note="2025 年度抽查"))
    db.session.commit()
    page = as_role(Role.AUDITOR).get(f"/directories/objects/{record.id}").get_data(as_text=True)
    assert "2025-06-01" in page and "未发现违法行为" in page and "2025 年度抽查" in page


def test_import_preview_then_confirm(as_role):
    client = as_role(Role.SUPERVISION)
    rows = object_rows(3, start=600)
    rows[2][1] = "123"
    response = client.post("/directories/objects/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(xlsx(rows)), "objects.xlsx")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="import-problems"' in page and "18 位" in page
    token = page.split('name="token" value="')[1].split('"')[0]
    refused = client.post("/directories/objects/import", data={"token": token, "filename": "objects.xlsx"})
    assert refused.status_code == 400 and "只导入无误的行" in refused.get_data(as_text=True)
    assert db.session.scalar(select(InspectionObject).where(InspectionObject.credit_code == code(600))) is None
    done = client.post("/directories/objects/import", data={"token": token, "filename": "objects.xlsx",
                                                            "only_valid": "1"})
    assert done.status_code == 302
    assert db.session.scalar(select(InspectionObject).where(InspectionObject.credit_code == code(600))) is not None


def test_bad_file_gets_a_clear_message(as_role):
    response = as_role(Role.SUPERVISION).post("/directories/objects/import", content_type="multipart/form-data",
                                              data={"file": (io.BytesIO(b"%PDF-1.4"), "report.pdf")})
    assert response.status_code == 400 and "不是电子表格" in response.get_data(as_text=True)


def test_export_and_template_download(as_role):
    _object(503)
    client = as_role(Role.LEADER)
    export = client.get("/directories/objects/export.xlsx?q=页面单位503")
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert [c.value for c in sheet[1]][:2] == ["单位名称", "统一社会信用代码"] and sheet["A2"].value == "页面单位503"
    assert sheet["C2"].value == "事业单位"
    template = client.get("/directories/officers/template.xlsx")
    assert template.status_code == 200 and load_workbook(io.BytesIO(template.data)).active["D1"].value == "职务层次"


def test_unknown_list_is_404(as_role):
    assert as_role(Role.LEGAL).get("/directories/nothing/").status_code == 404
