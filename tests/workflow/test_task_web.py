"""The task page: forms rendered from JSON Schema without JavaScript, validated on the server, attachments hashed."""

import hashlib
import io
import re

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.workflow.models import Attachment, Task
from app.workflow.services import cases
from tests.conftest import user_for
from tests.workflow.helpers import load_process


@pytest.fixture
def draft_task():
    load_process("engine")
    case = cases.start_case(user_for(Role.LEGAL), "test_approval", "表单测试", {"rounds": 0})
    db.session.commit()
    return db.session.scalar(select(Task).where(Task.case_id == case.id, Task.state == "ready"))


def test_inbox_lists_the_task_for_its_role_only(draft_task, as_role):
    assert "填写申请" in as_role(Role.LEGAL).get("/tasks").get_data(as_text=True)
    assert "填写申请" not in as_role(Role.INSPECTOR).get("/tasks").get_data(as_text=True)


def test_form_renders_every_widget_accessibly(draft_task, as_role):
    page = as_role(Role.LEGAL).get(f"/tasks/{draft_task.id}").get_data(as_text=True)
    assert 'data-testid="instructions"' in page and "请填写申请事项和金额" in page
    assert re.search(r'<label class="form-label" for="f.subject">申请事项', page)
    assert 'type="number"' in page and 'type="date"' in page and 'type="radio"' in page
    assert '<textarea' in page and 'type="file"' in page and 'name="f.areas"' in page
    assert 'name="f.problems.0.description"' in page and 'name="_add_row"' in page
    assert 'aria-required="true"' in page and 'enctype="multipart/form-data"' in page


def test_add_row_without_javascript(draft_task, as_role):
    page = as_role(Role.LEGAL).post(f"/tasks/{draft_task.id}", data={
        "_add_row": "problems", "f.problems.0.description": "问题一", "f.subject": "x"}).get_data(as_text=True)
    assert 'name="f.problems.1.description"' in page and "问题一" in page


def test_errors_are_shown_back_per_field_and_nothing_changes(draft_task, as_role):
    response = as_role(Role.LEGAL).post(f"/tasks/{draft_task.id}", data={
        "f.amount": "abc", "f.happened_on": "2026-13-40", "f.category": "alien"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请输入数字" in page and "日期格式应为 YYYY-MM-DD" in page
    assert 'value="abc"' in page  # what the user typed comes back
    db.session.expire_all()
    assert db.session.get(Task, draft_task.id).state == "ready"


def test_missing_required_and_extra_fields(draft_task, as_role):
    page = as_role(Role.LEGAL).post(f"/tasks/{draft_task.id}", data={"f.amount": "3", "f.smuggled": "x"}
                                     ).get_data(as_text=True)
    assert "提交了表单中不存在的字段" in page
    page = as_role(Role.LEGAL).post(f"/tasks/{draft_task.id}", data={"f.amount": "3"}).get_data(as_text=True)
    assert "此项为必填项" in page


def test_complete_with_rows_checkboxes_and_attachments(app, draft_task, as_role):
    content = "现场照片".encode() * 100
    response = as_role(Role.LEGAL).post(f"/tasks/{draft_task.id}", content_type="multipart/form-data", data={
        "f.subject": "档案库房检查", "f.amount": "12.5", "f.happened_on": "2026-11-20", "f.category": "unit",
        "f.areas": ["rules", "storage"], "f.note": "说明", "f.problems.0.description": "温湿度记录缺失",
        "f.problems.0.days": "15", "f.problems.3.description": "", "f.evidence": [(io.BytesIO(content), "photo.jpg")],
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    data = cases.case_data(db.session.get(Task, draft_task.id).case)
    assert data["areas"] == ["rules", "storage"] and data["amount"] == 12.5
    assert data["problems"] == [{"description": "温湿度记录缺失", "days": 15}]
    [attachment_id] = data["evidence"]
    attachment = db.session.get(Attachment, attachment_id)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest() and attachment.filename == "photo.jpg"
    assert "photo" not in str(data)  # task data keeps ids only, never the file
    download = as_role(Role.AUDITOR).get(f"/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == content
    assert as_role(Role.EXPERT).get(f"/attachments/{attachment_id}").status_code == 403


def test_second_submission_is_told_who_completed(draft_task, as_role):
    as_role(Role.LEGAL).post(f"/tasks/{draft_task.id}", data={"f.subject": "x", "f.amount": "1"})
    response = as_role(Role.LEGAL).post(f"/tasks/{draft_task.id}", data={"f.subject": "y", "f.amount": "2"},
                                        follow_redirects=True)
    assert "此任务已由 李法制（演示） 于" in response.get_data(as_text=True)


def test_wrong_user_gets_403_on_submit(draft_task, as_role):
    assert as_role(Role.LEADER).post(f"/tasks/{draft_task.id}", data={"f.subject": "x"}).status_code == 403


def test_case_page_shows_tasks_data_and_history(draft_task, as_role):
    as_role(Role.LEGAL).post(f"/tasks/{draft_task.id}", data={"f.subject": "历史测试", "f.amount": "4"})
    page = as_role(Role.AUDITOR).get(f"/cases/{draft_task.case_id}").get_data(as_text=True)
    assert "完成任务" in page and "李法制（演示）" in page and "历史测试" in page
    assert "task.completed" not in page and "第 1 版" in page
    step = as_role(Role.AUDITOR).get(f"/cases/{draft_task.case_id}/steps/2").get_data(as_text=True)
    assert "历史测试" in step and "计算" in step  # the engine step that followed


def test_start_case_page(as_role):
    from pathlib import Path

    from app.workflow.services import definitions

    root = Path(__file__).resolve().parents[2]
    definitions.load_folder(None, root / "processes", root / "forms")
    db.session.commit()
    client = as_role(Role.LEGAL)
    assert "立案审批" in client.get("/cases/new").get_data(as_text=True)
    response = client.post("/cases/new", data={"process_id": "case_filing", "subject": "某单位档案违法案"})
    assert response.status_code == 302
    assert "填写立案审批表" in client.get("/tasks").get_data(as_text=True)


def test_start_page_offers_only_processes_people_start(as_role):
    from pathlib import Path

    from app.workflow.services import definitions

    root = Path(__file__).resolve().parents[2]
    definitions.load_folder(None, root / "processes", root / "forms")
    db.session.commit()
    client = as_role(Role.LEGAL)
    page = client.get("/cases/new").get_data(as_text=True)
    assert 'value="case_handling"' in page
    assert 'value="random_inspection"' not in page and 'value="legal_review"' not in page
    assert client.post("/cases/new", data={"process_id": "random_inspection", "subject": "x"}).status_code == 400


# Issue 17: nothing lost, nothing smuggled.
def test_add_row_adds_exactly_one_row(draft_task, as_role):
    client = as_role(Role.LEGAL)
    first = client.get(f"/tasks/{draft_task.id}").get_data(as_text=True)
    assert 'name="f.problems.0.description"' in first and 'name="f.problems.1.description"' not in first
    page = client.post(f"/tasks/{draft_task.id}", data={"_add_row": "problems", "f.problems.0.description": ""}
                       ).get_data(as_text=True)
    assert 'name="f.problems.1.description"' in page and 'name="f.problems.2.description"' not in page


def test_chosen_files_survive_add_row_and_errors_then_attach(app, draft_task, as_role):
    client = as_role(Role.LEGAL)
    content = b"evidence-bytes" * 50
    page = client.post(f"/tasks/{draft_task.id}", content_type="multipart/form-data", data={
        "_add_row": "problems", "f.evidence": [(io.BytesIO(content), "scan.pdf")]}).get_data(as_text=True)
    pending = db.session.scalar(select(Attachment).where(Attachment.task_id == draft_task.id,
                                                         Attachment.filename == "scan.pdf"))
    assert pending is not None and pending.pending
    assert f'name="f.evidence.keep" value="{pending.id}"' in page and "scan.pdf" in page
    # a refused submission keeps it too
    refused = client.post(f"/tasks/{draft_task.id}", data={"f.amount": "abc", "f.evidence.keep": str(pending.id)})
    assert refused.status_code == 400 and f'value="{pending.id}"' in refused.get_data(as_text=True)
    done = client.post(f"/tasks/{draft_task.id}", data={"f.subject": "x", "f.amount": "1",
                                                        "f.evidence.keep": str(pending.id)})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attachment, pending.id).pending is False
    assert cases.case_data(db.session.get(Task, draft_task.id).case)["evidence"] == [pending.id]


def test_an_attachment_of_another_case_is_refused(draft_task, as_role):
    other = cases.start_case(user_for(Role.LEGAL), "test_approval", "另一案件", {"rounds": 0})
    db.session.flush()
    foreign = Attachment(case_id=other.id, task_id=None, field="evidence", filename="secret.pdf",
                         content_type="application/pdf", size=1, sha256="0" * 64, storage_path="00/" + "0" * 64,
                         uploaded_by_id=user_for(Role.LEGAL).id)
    db.session.add(foreign)
    db.session.commit()
    task_id, foreign_id = draft_task.id, foreign.id
    response = as_role(Role.LEGAL).post(f"/tasks/{task_id}", data={
        "f.subject": "x", "f.amount": "1", "f.evidence.keep": str(foreign_id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "附件不属于本案件" in page and "secret.pdf" not in page
    db.session.expire_all()
    assert db.session.get(Task, task_id).state == "ready"


def test_stale_pending_uploads_and_orphan_files_are_removed(app, draft_task, tmp_path):
    import os
    import time
    from datetime import timedelta

    from app.workflow.services import attachments

    record = attachments.store(tmp_path, actor=user_for(Role.LEGAL), case_id=draft_task.case_id,
                               task_id=draft_task.id, field="evidence", filename="a.txt", content_type="text/plain",
                               stream=io.BytesIO(b"never submitted"), pending=True)
    orphan = tmp_path / "ab" / ("ab" + "1" * 62)
    orphan.parent.mkdir()
    orphan.write_bytes(b"no record")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    record.uploaded_at -= timedelta(days=3)
    db.session.flush()
    assert attachments.remove_stale(tmp_path) == 2
    assert not orphan.exists() and db.session.get(Attachment, record.id) is None


def test_a_file_written_for_a_transaction_that_rolls_back_is_not_kept(draft_task, tmp_path):
    from app.workflow.services import attachments

    savepoint = db.session.begin_nested()
    record = attachments.store(tmp_path, actor=user_for(Role.LEGAL), case_id=draft_task.case_id,
                               task_id=draft_task.id, field="evidence", filename="b.txt", content_type="text/plain",
                               stream=io.BytesIO(b"refused submission"))
    path = tmp_path / record.storage_path
    assert path.exists()
    savepoint.rollback()
    db.session.rollback()
    assert not path.exists()
