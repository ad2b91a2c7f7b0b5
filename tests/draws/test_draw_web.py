"""Draw pages, CLI and API: the witnessed flow through the web, verification from a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.auth.roles import Role
from app.clock import utcnow
from app.directories.models import Tier
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def _form(year=None):
    year = year or utcnow().year + 1  # demo certificates are valid for about two years
    tiers = [str(t) for t in db.session.scalars(select(Tier.id).order_by(Tier.position))]
    return {"year": str(year), "ratio": "20%", "rest_years": "1", "experts_per_team": "1", "experts_to_draw": "",
            "period_start": f"{year}-03-01", "period_end": f"{year}-10-31", "tier_ids": tiers, "item_codes": ["SJ-01"]}


def test_web_flow_prepare_witness_confirm(as_role):
    supervision = as_role(Role.SUPERVISION)
    response = supervision.post("/draws/new", data=_form())
    assert response.status_code == 302
    draw_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = supervision.get(f"/draws/{draw_id}").get_data(as_text=True)
    assert 'data-testid="nonce-hash"' in page and "输入并抽取" not in page  # only the witness may draw
    witness = as_role(Role.DISCIPLINE)
    assert "输入并抽取" in witness.get(f"/draws/{draw_id}").get_data(as_text=True)
    bad = witness.post(f"/draws/{draw_id}/perform", data={"entropy": "12"}, follow_redirects=True)
    assert "见证随机数应为 6–64 位" in bad.get_data(as_text=True)
    assert witness.post(f"/draws/{draw_id}/perform", data={"entropy": "4152634"}).status_code == 302, \
        witness.get(f"/draws/{draw_id}").get_data(as_text=True)
    page = supervision.get(f"/draws/{draw_id}").get_data(as_text=True)
    assert 'data-testid="schedule"' in page and "确认结果并启动检查" in page
    verified = supervision.post(f"/draws/{draw_id}/verify").get_data(as_text=True)
    assert "核验通过" in verified
    confirmed = supervision.post(f"/draws/{draw_id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "已确认，并启动" in confirmed and "件检查案件" in confirmed
    assert as_role(Role.INSPECTOR).get(f"/draws/{draw_id}").status_code == 403
    for path in ("record.docx", "schedule.docx", "schedule.xlsx"):
        assert as_role(Role.AUDITOR).get(f"/draws/{draw_id}/{path}").status_code == 200


def test_bad_form_shows_field_errors(as_role):
    response = as_role(Role.SUPERVISION).post("/draws/new", data={**_form(), "ratio": "2", "tier_ids": []})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "抽取比例须大于 0 且不超过 1" in page and "至少选择两个职务层次" in page


def test_api_lists_draws_and_hides_the_nonce_before_the_draw(as_role):
    supervision = as_role(Role.SUPERVISION)
    draw_id = int(supervision.post("/draws/new", data=_form()).headers["Location"].split("/")[-1])
    record = as_role(Role.AUDITOR).get(f"/api/v1/draws/{draw_id}").get_json()
    assert record["nonce"] is None and len(record["nonce_hash"]) == 64 and record["status"] == "prepared"
    assert any(d["id"] == draw_id for d in as_role(Role.LEADER).get("/api/v1/draws").get_json())
    assert as_role(Role.EXPERT).get("/api/v1/draws").status_code == 403


def test_verify_in_a_fresh_process_and_catch_an_edit(tmp_path):
    """Same record → same result in a new Python process; an edited row makes `flask draw verify` fail."""
    url = f"sqlite:///{tmp_path / 'draw.db'}"
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "testing", "SECRET_KEY": "x" * 40}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    script = (
        "from app import create_app\nfrom app.extensions import db\nfrom app.auth.services import find_user\n"
        "from app.draws.services import draws\nfrom tests.conftest import declare_calendar_year\n"
        "from app.bureaus.context import for_bureau, use\n"
        "app = create_app()\nwith app.app_context(), use(for_bureau(1)):\n    declare_calendar_year(Y)\n"
        "    d = draws.prepare(find_user('demo.supervision'), {'year': Y, 'ratio': '0.2', 'rest_years': 1,"
        " 'experts_per_team': 1, 'tier_ids': [1, 2, 3], 'period_start': 'Y-03-01', 'period_end': 'Y-10-31'})\n"
        "    draws.perform(find_user('demo.discipline'), d, '662154')\n    db.session.commit()\n    print(d.id)\n")
    script = script.replace("Y", str(utcnow().year + 1))
    draw_id = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
    ok = subprocess.run(flask + ["draw", "verify", draw_id], cwd=ROOT, env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "reproduces exactly" in ok.stdout
    listed = subprocess.run(flask + ["draw", "list"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert f"{draw_id:>4}" in listed.stdout and "drawn" in listed.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "draw.db") as conn:
        conn.execute("UPDATE draw SET witness_entropy = '111111' WHERE id = ?", (int(draw_id),))
    broken = subprocess.run(flask + ["draw", "verify", draw_id], cwd=ROOT, env=env, capture_output=True, text=True)
    assert broken.returncode == 1 and "seed" in broken.stderr



def test_the_record_page_shows_full_hashes_and_the_package(as_role):
    supervision = as_role(Role.SUPERVISION)
    draw_id = int(supervision.post("/draws/new", data=_form()).headers["Location"].split("/")[-1])
    as_role(Role.DISCIPLINE).post(f"/draws/{draw_id}/perform", data={"entropy": "4152634"})
    page = supervision.get(f"/draws/{draw_id}").get_data(as_text=True)
    from app.draws.models import Draw

    draw = db.session.get(Draw, draw_id)
    for digest in [*draw.pool_hashes.values(), draw.seed, draw.record_hash, draw.nonce_hash, draw.nonce]:
        assert digest in page  # whole, copyable
    assert "…</td>" not in page
    package = as_role(Role.AUDITOR).get(f"/draws/{draw_id}/verification.json")
    assert package.status_code == 200 and package.get_json()["record_hash"] == draw.record_hash
    assert as_role(Role.INSPECTOR).get(f"/draws/{draw_id}/verification.json").status_code == 403


def test_confirmed_draws_are_public_with_personal_data_reduced(as_role, client):
    supervision = as_role(Role.SUPERVISION)
    draw_id = int(supervision.post("/draws/new", data=_form()).headers["Location"].split("/")[-1])
    assert client.get(f"/public/draws/{draw_id}/verification.json").status_code == 404  # not drawn yet
    as_role(Role.DISCIPLINE).post(f"/draws/{draw_id}/perform", data={"entropy": "4152634"})
    assert client.get(f"/public/draws/{draw_id}/verification.json").status_code == 404  # not confirmed yet
    supervision.post(f"/draws/{draw_id}/confirm")
    listing = client.get("/public/draws/").get_data(as_text=True)
    assert f"/public/draws/{draw_id}/verification.json" in listing
    package = client.get(f"/public/draws/{draw_id}/verification.json").get_json()
    pools = package["pools"]
    assert all(set(o) == {"code", "name", "commitment"} for o in pools["objects"])
    assert all(set(o) == {"code", "name", "commitment"} for t in pools["tiers"] for o in t["officers"])
    assert all(set(e) == {"code", "commitment"} for e in pools["experts"])
    from app.draws.models import Draw

    draw = db.session.get(Draw, draw_id)
    text = str(package)
    for expert in draw.pools["experts"]:
        assert expert["name"] not in text and expert["salt"] not in text
    assert "exclusions" not in package and package["exclusions_hash"]
    from tests.draws.standalone import run_verifier

    assert run_verifier([package]).returncode == 0


def test_cancel_a_prepared_draw_through_the_page(as_role):
    supervision = as_role(Role.SUPERVISION)
    draw_id = int(supervision.post("/draws/new", data=_form()).headers["Location"].split("/")[-1])
    refused = supervision.post("/draws/new", data=_form())
    assert refused.status_code == 400 and f"第 {draw_id} 号" in refused.get_data(as_text=True)
    page = supervision.post(f"/draws/{draw_id}/cancel", data={"reason": ""}, follow_redirects=True)
    assert "请写明理由" in page.get_data(as_text=True)
    page = supervision.post(f"/draws/{draw_id}/cancel", data={"reason": "计划检查期间需要调整"},
                            follow_redirects=True).get_data(as_text=True)
    assert "已取消" in page and "计划检查期间需要调整" in page
    assert supervision.post("/draws/new", data=_form()).status_code == 302
