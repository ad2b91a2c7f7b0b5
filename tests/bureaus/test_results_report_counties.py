"""A county's inspection results flow into the city's 抽查结果通报: a section per county and the totals of the
city and its counties, counted here by hand from fixtures; read through an audited widening of the city's scope."""

from __future__ import annotations

import io
from datetime import date

from docx import Document as read_docx
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.roles import Role
from app.bureaus import context
from app.bureaus.models import Bureau
from app.clock import utcnow
from app.directories.models import InspectionObject, InspectionResult
from app.draws.models import Draw
from app.draws.services import draws
from app.extensions import db
from tests.conftest import user_for
from tests.inspection.helpers import start_inspection

YEAR = utcnow().year + 1


def _county_draw(bureau_id: int, organiser_id: int, outcomes: list[str | None], *, scope: str = "annual",
                 status: str = "confirmed", eligible: int = 20, start: int = 0) -> None:
    """A county's draw selecting len(outcomes) of its objects; each object's result (None: not inspected yet)."""
    with context.use(context.for_bureau(bureau_id)):
        objects = list(db.session.scalars(select(InspectionObject).order_by(InspectionObject.credit_code)))
        chosen = objects[start:start + len(outcomes)]
        pools = {"objects": [{"id": o.id, "code": o.credit_code, "name": o.name} for o in chosen]}
        db.session.add(Draw(year=YEAR, scope=scope, status=status, params={}, pools=pools, pool_hashes={},
                            exclusions=[], nonce_hash="0" * 64, nonce="0" * 64, algorithm_version="fixture",
                            result={"eligible": eligible, "selected_count": len(chosen),
                                    "selected": [o.credit_code for o in chosen]},
                            schedule=[{"object": o.credit_code, "date": f"{YEAR}-04-01"} for o in chosen],
                            period_start=date(YEAR, 3, 1), period_end=date(YEAR, 10, 31), organiser_id=organiser_id,
                            slot=None))
        for obj, outcome in zip(chosen, outcomes, strict=True):
            if outcome is not None:
                db.session.add(InspectionResult(object_id=obj.id, inspected_on=date(YEAR, 4, 2), outcome=outcome))
        db.session.flush()


def _text(document) -> tuple[str, list[list[str]]]:
    parsed = read_docx(io.BytesIO(document.content))
    body = "\n".join(p.text for p in parsed.paragraphs)
    tables = [[c.text for c in r.cells] for t in parsed.tables for r in t.rows]
    return body, tables


def test_the_city_report_has_a_row_per_county_and_totals(app):
    jia = db.session.scalar(select(Bureau).where(Bureau.name == "示例市甲县档案局"))
    yi = db.session.scalar(select(Bureau).where(Bureau.name == "示例市乙区档案局"))
    organiser = user_for(Role.SUPERVISION).id
    # 甲县: one draw, 4 objects — 2 compliant, 1 problems, 1 not yet inspected.
    _county_draw(jia.id, organiser, ["compliant", "compliant", "problems", None])
    # 乙区: an annual draw of 3 — 1 violation, 1 compliant, 1 pending — and a special one of 1 compliant; a
    # cancelled draw and another year's draw do not count.
    _county_draw(yi.id, organiser, ["violation", "compliant", None], eligible=18)
    _county_draw(yi.id, organiser, ["compliant"], scope="special", eligible=5, start=5)
    _county_draw(yi.id, organiser, ["violation", "violation"], status="cancelled", start=8)

    case_id = start_inspection()  # the city's own confirmed draw
    from app.workflow.services import cases

    draw = db.session.get(Draw, cases.case_data(cases.get_case(case_id))["draw_id"])
    selected = draw.result["selected"]
    by_code = {o["code"]: o["id"] for o in draw.pools["objects"]}
    db.session.add(InspectionResult(object_id=by_code[selected[0]], inspected_on=date(YEAR, 4, 3),
                                    outcome="compliant"))
    db.session.add(InspectionResult(object_id=by_code[selected[1]], inspected_on=date(YEAR, 4, 3),
                                    outcome="violation"))
    db.session.flush()
    n, eligible = len(selected), draw.result["eligible"]

    document = draws.results_report(user_for(Role.SUPERVISION), draw)
    body, rows = _text(document)
    assert "市直各单位，各县（区）档案局：" in body
    table = {row[0]: row[1:] for row in rows if len(row) == 8}
    assert table["本局"] == ["1", str(eligible), str(n), "1", "0", "1", str(n - 2)]
    assert table["示例市甲县档案局"] == ["1", "20", "4", "2", "1", "0", "1"]
    assert table["示例市乙区档案局"] == ["2", "23", "4", "2", "0", "1", "1"]
    assert table["合计"] == ["4", str(eligible + 43), str(n + 8), "5", "1", "2", str(n - 2 + 2)]
    assert f"全市（含本局）共抽取{n + 8}个单位，其中未发现违法行为5个，发现问题责令整改1个，涉嫌违法移送立案2个" in body
    assert "各县（区）档案局共完成随机抽查3次" in body
    # The published rows stay the city's own objects; the counties' figures are read through an audited widening.
    assert {r["credit_code"] for r in draw.public_results} == set(selected)
    widened = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bureau.scope_widened")).all()
    assert [(e.details["purpose"], e.details["bureaus"]) for e in widened] == [
        ("draw.results_report.counties", sorted([jia.id, yi.id]))]
    reported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw.results_reported"))
    assert reported.details["totals"] == {"compliant": 5, "problems": 1, "violation": 2, "pending": n}


def test_a_county_report_has_no_county_section(app):
    jia = db.session.scalar(select(Bureau).where(Bureau.name == "示例市甲县档案局"))
    with context.use(context.for_bureau(jia.id)):
        from app.draws.services.results import county_rollup

        assert county_rollup(user_for(Role.SUPERVISION), jia.id, YEAR) == []
