"""Issue 17: a task submit runs at most 8 SQL statements, never loads the definition's files, and answers with
this person's next task of the case when there is one."""

from __future__ import annotations

from sqlalchemy import event, select

from app.auth.roles import Role
from app.extensions import db
from app.workflow.models import Task
from app.workflow.services import cases
from tests.conftest import user_for
from tests.workflow.helpers import load_process

TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


def _ready(case_id):
    return db.session.scalar(select(Task).where(Task.case_id == case_id, Task.state == "ready"))


def _statements_of(app, action):
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, _params, _context, _executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, statements


def _approval_case(subject):
    """A committed case of the test approval process, with its first task ready."""
    load_process("engine")
    case = cases.start_case(user_for(Role.LEGAL), "test_approval", subject, {"rounds": 0})
    db.session.commit()
    return case


def test_a_submit_runs_at_most_eight_statements_without_the_definition_files(app, as_role):
    task_id = _ready(_approval_case("计数").id).id
    client = as_role(Role.LEGAL)
    client.get(f"/tasks/{task_id}")  # warm caches (parsed spec, compiled scripts), as on a running server
    response, statements = _statements_of(app, lambda: client.post(
        f"/tasks/{task_id}", data={"f.subject": "计数", "f.amount": "1"}))
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert len(statements) <= 8, "\n".join(s[:120] for s in statements)
    assert not [s for s in statements if "process_definition.files" in s]


def test_a_submit_opens_the_next_task_of_the_same_person(as_role):
    load_process("standard_loop")
    case = cases.start_case(user_for(Role.LEGAL), "test_standard_loop", "下一步", {"passes": 0})
    db.session.commit()
    case_id, first = case.id, _ready(case.id).id
    response = as_role(Role.LEGAL).post(f"/tasks/{first}", data={"f.finish": "false"})
    second = _ready(case_id)
    assert second.id != first
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tasks/{second.id}")
    last = as_role(Role.LEGAL).post(f"/tasks/{second.id}", data={"f.finish": "true"})
    assert last.status_code == 302 and last.headers["Location"].endswith("/tasks")


def test_a_submit_and_a_task_page_restore_the_workflow_once(as_role, monkeypatch):
    from app.workflow.services import runtime

    case = _approval_case("一次恢复")
    task_id = _ready(case.id).id
    client = as_role(Role.LEGAL)
    restores: list[int] = []
    real_load = runtime.load
    monkeypatch.setattr(runtime, "load", lambda *args, **kwargs: restores.append(1) or real_load(*args, **kwargs))
    assert client.get(f"/tasks/{task_id}").status_code == 200
    assert len(restores) == 1  # the form's choices and the pre-filled values share one restore
    restores.clear()
    response = client.post(f"/tasks/{task_id}", data={"f.subject": "一次恢复", "f.amount": "1"})
    assert response.status_code in (302, 303)
    assert len(restores) == 1  # the form's choices, then completing the task
    assert _ready(case.id) is None or _ready(case.id).id != task_id


def test_a_parked_workflow_is_not_handed_out_for_a_changed_state(app):
    case = _approval_case("状态已变")
    task = _ready(case.id)
    cases.form_schema(task)  # parks what it read
    parked = db.session.info[cases.PARKED_WORKFLOW][2]
    case.state = case.state.replace('"data":{', '"data":{"changed":1,', 1)  # another writer's state
    assert cases.load_workflow(case) is not parked
    cases.form_schema(task)
    parked = db.session.info[cases.PARKED_WORKFLOW][2]
    assert cases.load_workflow(case) is parked  # handed out once
    assert cases.load_workflow(case) is not parked


def test_the_inbox_and_the_case_list_read_neither_workflow_states_nor_forms(app, as_role):
    """A list shows subjects and version names: the workflow state (often 100 KB and more per case) and the
    version's forms (JSON decoded once per row) stay in the database."""
    for n in range(3):
        _approval_case(f"列表{n}")
    db.session.expunge_all()
    client = as_role(Role.LEGAL)
    for path in ("/tasks", "/cases"):
        response, statements = _statements_of(app, lambda path=path: client.get(path))
        assert response.status_code == 200 and "列表2" in response.get_data(as_text=True)
        wide = [s for s in statements if "workflow_case.state" in s or "forms" in s.split("FROM", 1)[0]]
        assert not wide, (path, [s[:200] for s in wide])
