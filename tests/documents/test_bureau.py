"""Bureau settings: the administrator's page (audited), validation that keeps what was typed, the seal, and the
refusal of a document whose bureau data is missing."""

import io
import struct
import zlib

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.documents.models import BureauSettings, Document
from app.documents.services import bureau
from app.documents.services.documents import DocumentIncomplete
from app.errors import ValidationFailed
from app.extensions import db
from tests.conftest import user_for
from tests.inspection.helpers import case_values, do, ready, start_inspection


def png(width=40, height=40):
    """A small red PNG."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _form(**changes):
    current = bureau.get_bureau()
    values = {f"{spec.name}": getattr(current, spec.name) for spec in bureau.FIELDS}
    values.update(changes)
    return values


def test_admin_saves_settings_audited_and_documents_use_them(as_role):
    client = as_role(Role.ADMIN)
    page = client.get("/admin/bureau/").get_data(as_text=True)
    assert "行政复议机关" in page and "示例市人民政府" in page
    response = client.post("/admin/bureau/", data={**_form(court="示例市中级人民法院"),
                                                   "seal": (io.BytesIO(png()), "seal.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    row = db.session.get(BureauSettings, 1)
    assert row.court == "示例市中级人民法院" and row.seal_sha256
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bureau.updated")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.details["changes"]["court"]["to"] == "示例市中级人民法院" and "seal" in event.details["changes"]
    assert client.get("/admin/bureau/seal.png").data.startswith(b"\x89PNG")
    case_id = start_inspection()
    do(case_id, "plan", Role.INSPECTOR, {"key_areas": ["storage"], "notice_date": case_values(case_id)["planned_date"]})
    notice = db.session.scalars(select(Document).where(Document.case_id == case_id)).one()
    assert b"wp:anchor" in _document_xml(notice.content)  # the seal floats over the date


def _document_xml(content):
    import zipfile

    return zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml")


def test_bad_settings_are_refused_with_field_messages_and_nothing_changes(as_role):
    client = as_role(Role.ADMIN)
    before = db.session.get(BureauSettings, 1).postcode
    response = client.post("/admin/bureau/", data={**_form(postcode="12", full_name=""),
                                                   "seal": (io.BytesIO(b"GIF89a not a png"), "seal.gif")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "邮政编码应为 6 位数字。" in page and "此项为必填项。" in page and "印章图片须为 PNG 格式。" in page
    assert 'value="12"' in page  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(BureauSettings, 1).postcode == before


def test_a_document_missing_bureau_data_is_refused_and_the_step_stays_open():
    row = db.session.get(BureauSettings, 1)
    row.phone = ""
    db.session.flush()
    case_id = start_inspection()
    db.session.commit()  # as the request that confirmed the draw did
    with pytest.raises(DocumentIncomplete, match="机关设置：联系电话"):
        do(case_id, "plan", Role.INSPECTOR, {"key_areas": ["storage"],
                                             "notice_date": case_values(case_id)["planned_date"]})
    db.session.rollback()  # as the request does on a domain error
    assert not db.session.scalars(select(Document).where(Document.case_id == case_id)).first()
    assert [t.element_id for t in ready(case_id)] == ["plan"]


def test_the_service_refuses_an_empty_name():
    with pytest.raises(ValidationFailed) as caught:
        bureau.update_bureau(user_for(Role.ADMIN), {"full_name": "", "short_name": "示档"})
    assert caught.value.errors == {"full_name": ["此项为必填项。"]}
