"""Issue 14 pages: every number opens the list it counts; exports; the recording list drives the procedures;
the annual report; the discipline inspector's waiting draws."""

from __future__ import annotations

import html
import io
import re

from docx import Document as read_docx
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.errors import ValidationFailed
from app.extensions import db
from app.recording.models import RecordingItem
from app.statistics.models import CaseFact
from tests.conftest import user_for
from tests.inspection.helpers import do, ready
from tests.statistics.scenario import build

CELL = re.compile(r'<td class="text-end" data-value="([^"]*)"><a href="([^"]+)">')
FIGURE = re.compile(r'data-testid="figure-([a-z_]+)"(.*?)</section>', re.S)
TOTAL = re.compile(r'data-testid="(?:board|case)-total">(\d+)<')
# figures whose numbers count something else than the rows of their list (reviews, tasks per person)
NOT_ROW_COUNTS = {"legal_reviews", "tasks_person", "tasks_office", "yoy"}


def test_every_number_opens_a_list_of_exactly_that_many(as_role):
    year = build()
    db.session.commit()
    leader = as_role(Role.LEADER)
    page = leader.get("/statistics/", query_string=year.period.dates())
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    checked = 0
    for key, body in FIGURE.findall(text):
        if key in NOT_ROW_COUNTS:
            continue
        for value, href in CELL.findall(body):
            listed = leader.get(html.unescape(href))
            assert listed.status_code == 200, href
            total = TOTAL.search(listed.get_data(as_text=True))
            assert total and total.group(1) == value, (key, href, value, total and total.group(1))
            checked += 1
    assert checked >= 20
    assert "统计分析" in text and "检查结论" in text and "法制审核结论" in text


def test_a_bad_period_is_named_and_the_page_still_shows(as_role):
    client = as_role(Role.LEADER)
    response = client.get("/statistics/?start=2026-13-01&end=2026-01-01")
    assert response.status_code == 400
    assert "日期格式应为 2026-11-22。" in response.get_data(as_text=True)


def test_supervision_exports_the_board_and_the_figures(as_role):
    year = build()
    db.session.commit()
    client = as_role(Role.SUPERVISION)
    draw_year = db.session.get(CaseFact, year.compliant).year
    page = client.get(f"/statistics/board?year={draw_year}").get_data(as_text=True)
    total = int(TOTAL.search(page).group(1))
    assert "已整改" in page and "已移送立案" in page and "已办结" in page
    assert f">{year.compliant}</a>" in page and f"#{year.compliant}<" not in page  # the case number
    assert 'class="text-end text-nowrap">整改轮次<' in page  # narrow headers stay on one line
    response = client.get(f"/statistics/board.xlsx?year={draw_year}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("档案局", "检查对象", "区域") and len(rows) - 1 == total
    stages = {r[7] for r in rows[1:]}
    assert {"已计划", "已整改", "已移送立案", "已办结"} <= stages
    workbook = load_workbook(io.BytesIO(client.get("/statistics/export.xlsx",
                                                   query_string=year.period.dates()).data))
    assert len(workbook.sheetnames) >= 15 and workbook.sheetnames[0] == "各局汇总"


def test_an_exported_board_never_holds_a_formula(as_role):
    year = build()
    fact = db.session.get(CaseFact, year.rectified)
    fact.team = "=HYPERLINK(\"http://x\")"
    draw_year = fact.year
    db.session.commit()
    client = as_role(Role.SUPERVISION)
    sheet = load_workbook(io.BytesIO(client.get(f"/statistics/board.xlsx?year={draw_year}").data)).active
    teams = [r[4] for r in sheet.iter_rows(values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in teams


def _add_plan_to_the_list(client):
    response = client.post("/recording/new", data={"step": "random_inspection:plan", "method": "video",
                                                   "recorder": "执法检查人员（执法记录仪）", "note": "制定方案会商",
                                                   "position": "1", "csrf_token": ""})
    return response


def test_a_step_on_the_recording_list_needs_a_recording_or_a_reason(as_role, app):
    from tests.statistics.scenario import _draw

    legal = as_role(Role.LEGAL)
    refused = legal.post("/recording/new", data={"step": "random_inspection:nowhere", "method": "video",
                                                 "recorder": ""})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "请选择流程中的一个办理步骤。" in body and "请填写由谁记录" in body
    assert _add_plan_to_the_list(legal).status_code == 302
    item = db.session.scalar(select(RecordingItem).where(RecordingItem.element_id == "plan"))
    assert item.step_name == "制定检查方案"
    item_id = item.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "recording.item_saved"))
    draw_id = _draw()
    case_id = db.session.scalar(select(CaseFact.case_id).where(CaseFact.draw_id == draw_id))
    db.session.commit()
    [task] = ready(case_id)
    inspector = as_role(Role.INSPECTOR)
    form = inspector.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "未进行音像记录的原因" in form and "此步骤列入《音像记录事项清单》" in form
    day = db.session.get(CaseFact, case_id).planned_date.isoformat()
    try:
        do(case_id, "plan", Role.INSPECTOR, {"key_areas": ["storage"], "notice_date": day})
    except ValidationFailed as exc:
        assert list(exc.errors) == ["av_missing_reason"]
        assert "《音像记录事项清单》要求此步骤进行音像记录" in exc.errors["av_missing_reason"][0]
    else:
        raise AssertionError("a listed step completed without a recording or a reason")
    db.session.rollback()
    do(case_id, "plan", Role.INSPECTOR, {"key_areas": ["storage"], "notice_date": day,
                                         "av_missing_reason": "会商未录像"})
    db.session.commit()
    page = as_role(Role.LEADER).get("/statistics/").get_data(as_text=True)
    coverage = page[page.index('data-testid="recording-coverage"'):]
    assert "制定检查方案" in coverage and "0.0%" in coverage
    public = app.test_client().get("/public/recording/").get_data(as_text=True)
    assert "制定检查方案" in public and "执法检查人员（执法记录仪）" in public
    # taken off the list: the step completes without either again
    legal.post(f"/recording/{item_id}/active", data={"active": "0"})
    assert "制定检查方案" not in app.test_client().get("/public/recording/").get_data(as_text=True)


def test_the_annual_report_is_drafted_edited_and_issued_with_charts(as_role):
    build()
    db.session.commit()
    from app.clock import local_today

    year = local_today().year
    client = as_role(Role.SUPERVISION)
    client.post(f"/statistics/report/{year}", data={"action": "start"})
    page = client.get(f"/statistics/report/{year}").get_data(as_text=True)
    assert "立案" in page and "法制审核" in page
    too_long = client.post(f"/statistics/report/{year}", data={"action": "save", "problems": "长" * 5001})
    assert too_long.status_code == 400 and "不能超过 5000 个字。" in too_long.get_data(as_text=True)
    assert "长" * 5001 in too_long.get_data(as_text=True)  # what was typed is kept
    sections = {"overview": "全年工作总体平稳。", "publicity": "公示及时。", "recording": "全过程记录。",
                "review": "法制审核到位。", "problems": "个别单位整改不及时。", "plans": "明年加强培训。"}
    issued = client.post(f"/statistics/report/{year}", data={"action": "issue", **sections})
    assert issued.status_code == 302
    page = client.get(f"/statistics/report/{year}").get_data(as_text=True)
    assert "年报" in page
    download = client.get(f"/statistics/report/{year}/download")
    document = read_docx(io.BytesIO(download.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "个别单位整改不及时。" in text and "“三项制度”工作报告" in text
    assert len(document.inline_shapes) >= 2  # the charts
    again = client.post(f"/statistics/report/{year}", data={"action": "save", **sections})
    assert "报告已印发，不能再修改。" in again.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "annual_report.issued"))


def test_the_results_report_carries_its_charts():
    from app.draws.models import Draw
    from app.draws.services import draws

    year = build()
    draw = db.session.get(Draw, db.session.get(CaseFact, year.compliant).draw_id)
    document = draws.results_report(user_for(Role.SUPERVISION), draw)
    parsed = read_docx(io.BytesIO(document.content))
    assert len(parsed.inline_shapes) == 2  # outcomes and problem areas
    assert "图1  检查结论分布" in "\n".join(p.text for p in parsed.paragraphs)


def test_the_discipline_inspector_sees_draws_waiting_for_witness(as_role):
    from app.clock import utcnow
    from app.directories.models import Tier
    from app.draws.services import draws

    year = utcnow().year + 1
    draws.prepare(user_for(Role.SUPERVISION), {"year": year, "ratio": "0.05",
                                               "tier_ids": list(db.session.scalars(select(Tier.id))),
                                               "period_start": f"{year}-03-01", "period_end": f"{year}-10-31"})
    db.session.commit()
    home = as_role(Role.DISCIPLINE).get("/").get_data(as_text=True)
    waiting = home[home.index('data-testid="witness-draws"'):]
    assert f"{year} 年度抽取" in waiting[:400]
