"""The stand-alone verifier (tools/verify_draw.py): standard library only, run in a fresh isolated interpreter on
downloadable packages; it verifies real draws of both algorithm versions and rejects every kind of edit."""

import ast
import copy
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.clock import utcnow
from app.directories.models import Tier
from app.draws.models import Draw
from app.draws.services import draws, package
from app.draws.services.generator import ALGORITHM_VERSION
from app.draws.services.pools import freeze_v1
from app.extensions import db
from tests.conftest import user_for
from tests.draws.standalone import VERIFIER, run_verifier


def _params(**extra):
    year = utcnow().year + 1
    return {"year": year, "ratio": "0.3", "tier_ids": list(db.session.scalars(select(Tier.id))),
            "period_start": f"{year}-03-01", "period_end": f"{year}-10-31", **extra}


def _package(draw):
    return package.build(draw, "示例市档案局")


def _performed(**extra):
    draw = draws.prepare(user_for(Role.SUPERVISION), _params(**extra))
    draws.perform(user_for(Role.DISCIPLINE), draw, "246135")
    assert draw.status == "drawn"
    return draw


def test_the_verifier_imports_only_the_standard_library():
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert modules - {"__future__"} <= set(sys.stdlib_module_names), modules


def test_a_v2_draw_verifies_in_a_fresh_process():
    done = run_verifier([_package(_performed())])
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout and "schedule reproduces" in done.stdout


def test_a_v1_record_still_verifies():
    """Old records keep their algorithm: a version 1 draw (whole pools, swap scan) verifies with the same tool."""
    draw = draws.prepare(user_for(Role.SUPERVISION), _params())
    pools, hashes, exclusions = freeze_v1(draw.params["tier_ids"], draw.period_start, draw.period_end, 1)
    draw.pools, draw.pool_hashes, draw.exclusions, draw.algorithm_version = pools, hashes, exclusions, \
        ALGORITHM_VERSION
    draws.perform(user_for(Role.DISCIPLINE), draw, "246135")
    assert draw.status == "drawn"
    from app.draws.services.verify import verify

    assert verify(draw).ok, verify(draw).difference
    done = run_verifier([_package(draw)])
    assert done.returncode == 0, done.stderr


def test_the_demo_draw_verifies():
    demo = db.session.scalar(select(Draw).where(Draw.status == "confirmed").order_by(Draw.id))
    assert demo is not None
    done = run_verifier([_package(demo)])
    assert done.returncode == 0, done.stderr


def _edits(p):
    first = p["result"]["selected"][0]
    yield "selected order", lambda q: q["result"]["selected"].reverse()
    yield "an officer", lambda q: q["result"]["tiers"][0]["assignment"].__setitem__(
        first, next(o for o in q["result"]["tiers"][0]["officer_order"]
                    if o != q["result"]["tiers"][0]["assignment"][first]))
    yield "entropy", lambda q: q.__setitem__("entropy", "999999")
    yield "nonce", lambda q: q.__setitem__("nonce", "0" * 64)
    yield "a pool entry", lambda q: q["pools"]["objects"][0].__setitem__("name", "改过的单位")
    yield "a commitment", lambda q: q["pools"]["experts"][0].__setitem__("commitment", "f" * 64)
    yield "a hidden field", lambda q: q["pools"]["experts"][0].__setitem__("name", "张三")
    yield "a blocked pair", lambda q: q["pools"]["blocked"].append(["officer", "X", first])
    yield "the calendar", lambda q: q["pools"]["calendar"]["workdays"].append("2099-10-01")
    yield "a date", lambda q: q["schedule"][0].__setitem__("date", q["pools"]["calendar"]["workdays"][-1])
    yield "the record hash", lambda q: q.__setitem__("record_hash", "0" * 64)
    yield "the organiser", lambda q: q.__setitem__("organiser", 999)


@pytest.mark.edited_draws
def test_every_kind_of_edit_is_rejected():
    original = _package(_performed())
    edited = []
    for name, edit in _edits(original):
        forged = copy.deepcopy(original)
        edit(forged)
        assert forged != original, name
        edited.append((name, forged))
    for name, forged in edited:
        done = run_verifier([forged])
        assert done.returncode == 1, (name, done.stdout)
        assert "DIFFERENT" in done.stderr or "missing" in done.stderr, name


def test_unreadable_input_exits_2(tmp_path):
    import subprocess

    from tests.draws.standalone import PYTHON

    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    done = subprocess.run([PYTHON, "-I", str(VERIFIER), str(bad)], capture_output=True, text=True)
    assert done.returncode == 2


def test_the_project_is_not_importable_where_the_verifier_runs(tmp_path):
    import subprocess

    from tests.draws.standalone import PYTHON

    done = subprocess.run([PYTHON, "-I", "-c", "import app"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0 and "No module named 'app'" in done.stderr
    assert Path(VERIFIER).is_file()
