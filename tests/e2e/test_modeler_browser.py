"""The legal section changes the inspection procedure in the browser, as a clerk would: a new draft from the
published version, a new step drawn in a new lane, a save refused with the problem marked on the diagram, the fix
chosen from a list, the comparison, publishing with a reason; then a new case reaches the new step while a running
case stays on its version until it is migrated after a preview. Screenshots feed docs/guide-legal.md."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.auth.services import find_user
from app.bureaus.context import for_bureau, use
from app.demo.services import CITY_BUREAU_ID, seed_demo
from app.extensions import db
from app.workflow.models import Case, Task
from app.workflow.services import cases
from tests.e2e.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser

NEW_STEP = "审核检查安排"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """A live server of its own (this test publishes a new version of the inspection procedure)."""
    from flask_migrate import upgrade

    db_file = tmp_path_factory.mktemp("modeler") / "modeler.db"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{db_file}",
                      "SECRET_KEY": "e2e-modeler-secret-0123456789abcdef0123456789", "LOGIN_SLOWDOWN_SECONDS": 0})
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}", app
    http.shutdown()


def _start_inspection(app, subject: str) -> int:
    """An inspection case as a confirmed draw starts it (the team: the demo inspector)."""
    with app.app_context(), use(for_bureau(CITY_BUREAU_ID)):  # the demo city's data
        inspector = find_user("demo.inspector")
        case = cases.start_case(find_user("demo.supervision"), "random_inspection", subject,
                                {"object_name": "示例市档案馆", "object_id": None, "team_user_ids": [inspector.id],
                                 "planned_date": (date.today() + timedelta(days=14)).isoformat(),
                                 "officers": [], "experts": [], "inspection_items": []})
        db.session.commit()
        return case.id


def _open_tasks(app, case_id: int) -> tuple[int, list[str]]:
    with app.app_context(), use(for_bureau(CITY_BUREAU_ID)):  # the demo city's data
        case = db.session.get(Case, case_id)
        names = [t.name for t in db.session.scalars(db.select(Task).where(Task.case_id == case_id,
                                                                          Task.state == "ready"))]
        return case.definition.version, names


def _modeler(page, script: str):
    return page.evaluate(f"() => {{ const m = window.archivesModeler; {script} }}")


def test_legal_user_adds_a_step_fixes_its_lane_compares_publishes_and_migrates(browser, server):
    base, app = server
    old_case = _start_inspection(app, "旧版本上的检查案件")
    assert _open_tasks(app, old_case) == (1, ["制定检查方案"])

    legal = sign_in_as(browser, base, "demo.legal")
    legal.goto(f"{base}/processes/")
    legal.click("text=随机抽查")
    legal.wait_for_selector("[data-testid=new-draft]")
    screenshot(legal, "legal-version-page")
    legal.click("[data-testid=new-draft]")
    legal.wait_for_selector("[data-testid=draft-banner]")
    draft_url = legal.url

    # The new step's form, with a new field, made in the form editor.
    legal.click("text=新建表单")
    legal.fill("#title", NEW_STEP)
    legal.fill("#key", "ri_review_arrangement")
    legal.click("[data-testid=form-new] button[type=submit]")
    legal.wait_for_selector("[data-testid=form-editor]")
    legal.click("[data-testid=add-field]")
    card = legal.locator("[data-field-card]").last
    card.locator("input[name$='.label']").fill("审核意见")
    card.locator("input[name$='.name']").fill("arrangement_opinion")
    card.locator("select[name$='.kind']").select_option("textarea")
    card.locator("input[name$='.required']").check()
    legal.fill("#reason", "新环节“审核检查安排”的表单")
    legal.click("[data-testid=form-save]")
    legal.wait_for_selector(".alert-success")
    legal.goto(draft_url)
    legal.click("[data-testid=edit-diagram]")
    legal.wait_for_selector("body[data-modeler-ready=true]")
    assert "编辑草稿" in legal.inner_text("h1")
    screenshot(legal, "legal-modeler-open")
    colleague = sign_in_as(browser, base, "demo.legal")  # the same draft open in a second browser
    colleague.goto(legal.url)
    colleague.wait_for_selector("body[data-modeler-ready=true]")

    # A new lane above the first one, through the context pad (the real UI).
    _modeler(legal, "const lane = m.get('elementRegistry').get('Lane_0'); m.get('selection').select(lane);")
    legal.click(".djs-context-pad [data-action='lane-insert-above']")
    new_lane = _modeler(legal, """
        const lanes = m.get('elementRegistry').filter(e => e.type === 'bpmn:Lane' && !e.businessObject.name);
        return lanes[0].id;""")

    # The new step, placed in that lane between 准备检查 and 制定检查方案 (through the modeler's API: precise).
    _modeler(legal, f"""
        const r = m.get('elementRegistry'), modeling = m.get('modeling');
        const lane = r.get('{new_lane}'), init = r.get('init'), plan = r.get('plan');
        const task = modeling.createShape({{ type: 'bpmn:UserTask' }},
            {{ x: (init.x + init.width + plan.x) / 2, y: lane.y + lane.height / 2 }}, lane.parent);
        modeling.removeElements([r.get('f_plan')]);
        modeling.connect(init, task, {{ type: 'bpmn:SequenceFlow' }});
        modeling.connect(task, plan, {{ type: 'bpmn:SequenceFlow' }});
        m.get('selection').select(task);
        m.get('canvas').scrollToElement(task, {{ top: 200, bottom: 200, left: 300, right: 300 }});
        window.__newTask = task.id;""")
    panel = legal.locator("[data-testid=modeler-panel]")
    panel.locator("[data-field=name]").fill(NEW_STEP)
    panel.locator("[data-field=name]").press("Tab")
    panel.locator("[data-field=form]").select_option("ri_review_arrangement")
    panel.locator("[data-doc-type=inspection_notice]").check()
    panel.locator("[data-panel-field=due] select").select_option("working")
    panel.locator("[data-panel-field=due] input[type=number]").fill("3")
    panel.locator("[data-panel-field=due] input[type=number]").press("Tab")
    screenshot(legal, "legal-modeler-new-step")

    # Save: refused, the missing role of the lane marked on the new step and listed.
    legal.fill("[data-modeler-reason]", "检查方案制定前增加监督指导科审核检查安排")
    legal.click("[data-testid=modeler-save]")
    legal.wait_for_selector(".lint-badge")
    task_id = legal.evaluate("() => window.__newTask")
    badge = legal.locator(f".lint-badge[data-lint-element='{task_id}']")
    assert "所在泳道还没有指定角色" in badge.get_attribute("title")
    assert "未保存" in legal.inner_text("[data-testid=modeler-status]")
    assert NEW_STEP in legal.inner_text("[data-testid=lint-problems]")
    screenshot(legal, "legal-modeler-lint")

    # Fix it the way a clerk would: click the lane, choose its role from the list, save again.
    _modeler(legal, f"m.get('selection').select(m.get('elementRegistry').get('{new_lane}'));")
    panel.locator("[data-field=lane]").select_option("监督指导科")
    legal.click("[data-testid=modeler-save]")
    legal.wait_for_selector("body[data-modeler-saved]")
    assert "已保存" in legal.inner_text("[data-testid=modeler-status]")
    assert legal.locator(".lint-badge").count() == 0
    screenshot(legal, "legal-modeler-saved")

    # The second browser saves what it opened before: refused, told who saved first; nothing overwritten.
    _modeler(colleague, "m.get('modeling').updateLabel(m.get('elementRegistry').get('plan'), '制定方案');")
    colleague.fill("[data-modeler-reason]", "改名")
    colleague.click("[data-testid=modeler-save]")
    colleague.wait_for_function(  # a function, not a string: the page's CSP forbids eval
        "() => document.querySelector('[data-testid=modeler-status]').textContent.includes('保存了这份草稿')")
    assert "李法制" in colleague.inner_text("[data-testid=modeler-status]")
    screenshot(colleague, "legal-modeler-conflict")

    # Try the draft: a trial case, marked, whose first step is the new one, walked by its starter only.
    legal.goto(draft_url)
    legal.click("text=试用此草稿")
    legal.wait_for_selector("[data-testid=trial-badge]")
    assert NEW_STEP in legal.inner_text("[data-testid=case-tasks]")
    screenshot(legal, "legal-trial-case")

    # Compare with the published version, then publish with a reason.
    legal.goto(draft_url)
    legal.click("text=比较并发布…")
    legal.wait_for_selector("#diff-diagram[data-diagram-ready=true]")
    elements = legal.inner_text("[data-testid=diff-elements]")
    assert NEW_STEP in elements and "新增" in elements
    assert legal.locator(f"#diff-diagram .djs-element.diagram-added[data-element-id='{task_id}']").count() == 1
    screenshot(legal, "legal-publish-diff")
    legal.click("text=确认发布第 2 版")
    assert legal.locator("#reason:invalid").count() == 1  # the browser asks for the reason first
    legal.fill("#reason", "增加监督指导科审核检查安排环节")
    legal.click("text=确认发布第 2 版")
    legal.wait_for_selector(".alert-success")
    assert "已发布第 2 版" in legal.inner_text(".alert-success")

    # A new case reaches the new step; the running case stays on version 1.
    new_case = _start_inspection(app, "新版本上的检查案件")
    assert _open_tasks(app, new_case) == (2, [NEW_STEP])
    with app.app_context(), use(for_bureau(CITY_BUREAU_ID)):  # the demo city's data
        row = db.session.scalars(db.select(Task).where(Task.case_id == new_case)).one()
        assert row.role == "supervision" and row.form_key == "ri_review_arrangement"
        assert "arrangement_opinion" in row.case.definition.forms["ri_review_arrangement"]["properties"]
    assert _open_tasks(app, old_case) == (1, ["制定检查方案"])

    # (c) The running case is migrated after its preview.
    legal.click("text=把旧版本的案件迁移到此版本…")
    card = legal.locator(f"[data-testid=migration-case-{old_case}]")
    assert "可以迁移" in card.inner_text() and "制定检查方案" in card.inner_text()
    screenshot(legal, "legal-migrate-preview")
    card.locator("input[name=reason]").fill("按新流程继续办理")
    card.locator("button[type=submit]").click()
    legal.wait_for_selector(".alert-success")
    assert f"案件 #{old_case} 已迁移到第 2 版" in legal.inner_text(".alert-success")
    assert _open_tasks(app, old_case) == (2, ["制定检查方案"])
    screenshot(legal, "legal-migrated")


@pytest.mark.parametrize("process_id", ["case_filing", "case_handling", "legal_review", "random_inspection"])
def test_the_modeler_writes_back_everything_the_engine_reads(browser, server, process_id):
    """Opened and saved unchanged in the modeler, every shipped diagram keeps its extensions and passes the lint."""
    import re

    from app.modeler.services import drafts
    from app.workflow.services import definitions, lint

    base, app = server
    with app.app_context(), use(for_bureau(CITY_BUREAU_ID)):  # the demo city's data
        source = definitions.published(process_id)
        draft = drafts.open_draft(process_id) or drafts.new_draft(find_user("demo.legal"), source, "往返检查")
        db.session.commit()
        draft_id, files, forms = draft.id, dict(draft.files), set(draft.forms)
    page = sign_in_as(browser, base, "demo.legal")
    page.goto(f"{base}/modeler/{draft_id}/edit")
    page.wait_for_selector("body[data-modeler-ready=true]")
    xml = page.evaluate("async () => (await window.archivesModeler.saveXML({ format: true })).xml")
    name = next(n for n in files if n.startswith(process_id) and n.endswith(".bpmn"))
    marks = ("spiffworkflow:property ", "spiffworkflow:calledDecisionId", "spiffworkflow:instructionsForEndUser",
             "<bpmn:script>", "conditionExpression", "timeDate", "bpmndi:BPMNShape", "bpmndi:BPMNEdge")
    assert {m: len(re.findall(m, xml)) for m in marks} == {m: len(re.findall(m, files[name])) for m in marks}
    with app.app_context(), use(for_bureau(CITY_BUREAU_ID)):  # the demo city's data
        assert lint.lint_bundle({**files, name: xml}, forms, process_id) == []
