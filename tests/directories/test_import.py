"""Importing lists from Excel and CSV: a preview with every problem, nothing written while errors remain,
idempotent re-imports, and clear refusals of files that cannot be trusted."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.directories.models import Conflict, InspectionObject
from app.directories.services import exporting, importing, records
from app.directories.services.reader import ImportRejected, read_table
from app.directories.services.specs import CONFLICTS, OBJECTS, OFFICERS
from app.extensions import db
from tests.conftest import user_for
from tests.directories.helpers import OBJECT_HEADERS, code, csv_bytes, object_rows, xlsx


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _commit(spec, name, data, only_valid=False, role=Role.SUPERVISION):
    return importing.commit(user_for(role), spec, read_table(name, data), only_valid_rows=only_valid,
                            file_sha256="x", filename=name)


def test_xlsx_import_creates_then_reimport_changes_nothing():
    data = xlsx(object_rows(25))
    preview = importing.preview(OBJECTS, read_table("objects.xlsx", data))
    assert preview.count("create") == 25 and not preview.problems
    _commit(OBJECTS, "objects.xlsx", data)
    assert _count(InspectionObject) >= 25
    events = _count(AuditEvent)
    again = _commit(OBJECTS, "objects.xlsx", data)
    assert again.count("unchanged") == 25 and again.count("create") == again.count("update") == 0
    assert _count(AuditEvent) == events + 1  # only the import summary


def test_changed_rows_update_with_old_and_new():
    _commit(OBJECTS, "a.xlsx", xlsx(object_rows(3)))
    rows = object_rows(3)
    rows[2][0] = "改名后的单位"
    result = _commit(OBJECTS, "b.xlsx", xlsx(rows))
    assert result.count("update") == 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "directory.updated")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.details["changes"]["name"] == {"old": "测试单位2", "new": "改名后的单位"}


def test_utf8_and_gbk_csv():
    for encoding in ("utf-8", "gbk"):
        table = read_table("objects.csv", csv_bytes(object_rows(2, start=100), encoding))
        assert table.rows[0][1][0] == "测试单位100"
    table = read_table("bom.csv", "\ufeff".encode() + csv_bytes(object_rows(1)))
    assert table.headers[0] == "单位名称"


def test_preview_lists_every_problem_with_row_column_reason_and_writes_nothing():
    rows = object_rows(4)
    rows[1][1] = code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1")  # row 2: wrong check digit
    rows[2][0] = ""                                                    # row 3: missing name
    rows[4] = list(rows[3])                                            # row 5 duplicates row 4
    before = (_count(InspectionObject), _count(AuditEvent))
    preview = importing.preview(OBJECTS, read_table("bad.xlsx", xlsx(rows)))
    problems = {(row, column): reason for row, column, reason, _p in preview.problems}
    assert "校验位" in problems[(2, "统一社会信用代码")]
    assert "必填" in problems[(3, "单位名称")]
    assert "重复" in problems[(5, "统一社会信用代码")]
    with pytest.raises(ImportRejected, match="还有 3 处错误"):
        _commit(OBJECTS, "bad.xlsx", xlsx(rows))
    db.session.rollback()
    assert (_count(InspectionObject), _count(AuditEvent)) == before


def test_only_valid_rows_when_asked_explicitly():
    rows = object_rows(3, start=200)
    rows[1][2] = "外星机构"
    result = _commit(OBJECTS, "partial.xlsx", xlsx(rows), only_valid=True)
    assert result.count("create") == 2 and result.count("error") == 1


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "不是电子表格"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "另存为 .xlsx"),
    ("weird.csv", "单位名称".encode("utf-16"), "编码"),
    ("huge.xlsx", b"PK\x03\x04" + b"\x00" * (50 * 1024 * 1024), "10 MB"),
    ("empty.csv", b"", "空的"),
    ("broken.xlsx", b"PK\x03\x04garbage", "无法读取"),
])
def test_untrustworthy_files_are_refused(name, data, reason):
    with pytest.raises(ImportRejected) as caught:
        read_table(name, data)
    assert reason in str(caught.value)


def _workbook_bytes(build):
    workbook = Workbook()
    build(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_formula_cells_are_refused_naming_the_cell():
    def build(sheet):
        for row in object_rows(2):
            sheet.append(row)
        sheet["D3"] = "=A2&A3"
    with pytest.raises(ImportRejected, match="D3"):
        read_table("f.xlsx", _workbook_bytes(build))


def test_merged_header_and_empty_header_rows_are_refused():
    def merged(sheet):
        for row in object_rows(1):
            sheet.append(row)
        sheet.merge_cells("A1:B1")
    with pytest.raises(ImportRejected, match="合并单元格"):
        read_table("m.xlsx", _workbook_bytes(merged))

    def empty_header(sheet):
        sheet.append([])
        for row in object_rows(1):
            sheet.append(row)
    with pytest.raises(ImportRejected, match="第 1 行是空的"):
        read_table("e.xlsx", _workbook_bytes(empty_header))


def test_missing_required_column_is_refused():
    rows = [[h for h in OBJECT_HEADERS if h != "统一社会信用代码"], ["单位", "机关"]]
    with pytest.raises(ImportRejected, match="统一社会信用代码"):
        importing.preview(OBJECTS, read_table("x.csv", csv_bytes(rows)))


def test_template_headers_match_the_importer_and_export_reimports_unchanged():
    template = load_workbook(io.BytesIO(exporting.template(OFFICERS, lambda s: s)))
    assert [c.value for c in template.active[1]] == [c.header for c in OFFICERS.columns]
    _commit(OBJECTS, "o.xlsx", xlsx(object_rows(5, start=300)))
    rows, _total = records.search(OBJECTS, records.Query(q="测试单位30", per_page=100))
    exported = exporting.export(OBJECTS, rows, lambda s: s)
    again = importing.preview(OBJECTS, read_table("export.xlsx", exported))
    assert again.count("unchanged") == len(rows) and not again.problems


def test_conflicts_import_checks_people_and_units():
    _commit(OBJECTS, "o.xlsx", xlsx(object_rows(2, start=400)))
    records.create(user_for(Role.LEGAL), OFFICERS, {"name": "王五", "tier_id": "正科级", "certificate_no": "皖档执0400",
                                                      "certificate_valid_until": "2030-01-01"})
    rows = [["人员类型", "执法证号或专家编号", "回避单位统一社会信用代码", "回避原因"],
            ["执法检查人员", "皖档执0400", code(400), "配偶在该单位工作"],
            ["执法检查人员", "皖档执9999", code(401), "x"],
            ["专家", "E-404", code(999), "x"]]
    preview = importing.preview(CONFLICTS, read_table("c.csv", csv_bytes(rows)))
    problems = {(r, c) for r, c, _reason, _p in preview.problems}
    assert (3, "执法证号或专家编号") in problems and (4, "回避单位统一社会信用代码") in problems
    _commit(CONFLICTS, "c.csv", csv_bytes(rows), only_valid=True, role=Role.LEGAL)
    assert db.session.scalar(select(Conflict).where(Conflict.person_code == "皖档执0400")).reason == "配偶在该单位工作"


# Issue 17: nothing lost, nothing smuggled.
def test_blank_cells_never_erase_stored_values_unless_asked():
    _commit(OBJECTS, "a.csv", csv_bytes(object_rows(1, start=700)))
    rows = object_rows(1, start=700)
    rows[1][4:8] = ["", "", "", ""]  # address, contact, phone, archivist left blank
    preview = importing.preview(OBJECTS, read_table("b.csv", csv_bytes(rows)))
    assert preview.count("unchanged") == 1 and preview.kept_blanks >= 2
    _commit(OBJECTS, "b.csv", csv_bytes(rows))
    stored = db.session.scalar(select(InspectionObject).where(InspectionObject.credit_code == code(700)))
    assert stored.address == "路700号" and stored.contact_person == "张三"
    cleared = importing.commit(user_for(Role.SUPERVISION), OBJECTS, read_table("c.csv", csv_bytes(rows)),
                               only_valid_rows=False, file_sha256="x", filename="c.csv", blank_clears=True)
    assert cleared.count("update") == 1
    assert stored.address == ""


def test_formula_text_is_exported_inert_and_reimports_unchanged():
    rows = object_rows(2, start=710)
    rows[1][4] = "=cmd|' /C calc'!A0"
    rows[2][4] = "@SUM(1+1)"
    rows[2][5] = "-2+3"
    _commit(OBJECTS, "f.csv", csv_bytes(rows))
    stored = db.session.scalars(select(InspectionObject).where(
        InspectionObject.credit_code.in_([code(710), code(711)]))).all()
    data = exporting.export(OBJECTS, list(stored), lambda s: s)
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'=cmd|' /C calc'!A0" in [c.value for c in cells]
    again = importing.preview(OBJECTS, read_table("export.xlsx", data))
    assert again.count("unchanged") == 2


def test_a_zip_bomb_is_refused_before_parsing():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b" " * (80 * 1024 * 1024) + b"</sheetData>")
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(ImportRejected, match="解压后超过"):
        read_table("bomb.xlsx", data)


def test_too_many_rows_are_refused_before_parsing(monkeypatch):
    from app.directories.services import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 5)
    with pytest.raises(ImportRejected, match="行数超过 5 行"):
        reader.check_xlsx_size(xlsx(object_rows(8)))
