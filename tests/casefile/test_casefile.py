"""The case file (案卷): cover, catalogue, documents in binding order, evidence list, 备考表; one PDF (LibreOffice),
one ZIP whose manifest `flask casefile verify` accepts, and refuses after one byte changes."""

import io
import re
import zipfile

from pypdf import PdfReader
from sqlalchemy import select

from app.auth.roles import Role
from app.casefile.models import CaseFile
from app.casefile.services.contents import plan
from app.casefile.services.manifest import MANIFEST
from app.demo.history import DEMO_CLOSED_PENALTY_SUBJECT
from app.extensions import db
from app.workflow.models import Case


def _penalty_case():
    return db.session.scalar(select(Case).where(Case.subject == DEMO_CLOSED_PENALTY_SUBJECT))


def test_binding_order_and_latest_versions_only():
    volume = plan(_penalty_case())
    kinds = [d.doc_type for d in volume.documents]
    assert kinds[:3] == ["filing_approval", "penalty_decision", "service_receipt"] and kinds[-1] == "closure_report"
    assert kinds.count("investigation_report") == 2  # two reports (two numbers), each once
    assert volume.number.startswith("示档立〔") and volume.party == "某档案服务有限公司（演示）"
    assert "¥150,000.00" in volume.outcome and len(volume.attachments) == 2


def test_generate_download_and_verify_the_case_file(as_role, app, tmp_path):
    case = _penalty_case()
    client = as_role(Role.AUDITOR)
    response = client.post(f"/cases/{case.id}/casefile")
    assert response.status_code == 302
    record = db.session.scalar(select(CaseFile).where(CaseFile.case_id == case.id).order_by(CaseFile.id.desc()))
    assert record.status == "done", record.error
    page = client.get(f"/casefiles/{record.id}").get_data(as_text=True)
    assert "案卷已生成" in page and record.zip_sha256 in page
    assert client.get(f"/casefiles/{record.id}/status").get_json()["done"] is True

    pdf = client.get(f"/casefiles/{record.id}/volume.pdf").data
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() or "" for p in reader.pages)
    assert len(reader.pages) == record.pages and len(reader.pages) >= 13
    for heading in ("行政执法案卷", "卷内文件目录", "立案审批表", "行政处罚决定书", "证据及附件清单", "备考表"):
        assert heading in re.sub(r"\s", "", text), heading
    assert re.sub(r"\s", "", text).index("卷内文件目录") < re.sub(r"\s", "", text).index("行政处罚决定书")

    archive = tmp_path / "casefile.zip"
    archive.write_bytes(client.get(f"/casefiles/{record.id}/casefile.zip").data)
    names = zipfile.ZipFile(archive).namelist()
    assert MANIFEST in names and "案卷.pdf" in names and any(n.startswith("证据及附件/") for n in names)
    runner = app.test_cli_runner()
    accepted = runner.invoke(args=["casefile", "verify", str(archive)])
    assert accepted.exit_code == 0 and "ok:" in accepted.output

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("证据及附件/"):
                data = bytes([data[0] ^ 1]) + data[1:]  # one byte of one file
            target.writestr(item, data)
    refused = runner.invoke(args=["casefile", "verify", str(tampered)])
    assert refused.exit_code == 1 and "changed: 证据及附件/" in refused.output
