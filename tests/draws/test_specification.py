"""docs/draw-specification.md states the truth: its test vectors come from the platform's code, and its worked
example package is exactly what the platform builds and what the stand-alone verifier accepts."""

import hashlib
import hmac
import json
from pathlib import Path

from app.draws.services.algorithm_v2 import VERSION
from app.draws.services.generator import Stream, canonical, derive_seed, sha256
from tests.draws import spec_example
from tests.draws.standalone import run_verifier

DOCS = Path(__file__).resolve().parents[2] / "docs"
SPEC = (DOCS / "draw-specification.md").read_text(encoding="utf-8")


def test_the_vectors_in_the_specification_match_the_code():
    value = {"b": [1, "档案"], "a": None}
    assert f"`{canonical(value).decode()}`" in SPEC and sha256(value) in SPEC
    assert sha256("0" * 64) in SPEC
    seed = derive_seed({"objects": "a" * 64}, "0" * 64, "315264", VERSION)
    assert seed in SPEC
    block = hmac.new(bytes.fromhex(seed), b"objects\x00" + (0).to_bytes(8, "big"), hashlib.sha256).hexdigest()
    assert block in SPEC
    stream = Stream(seed, "objects")
    assert ", ".join(str(stream.below(1000)) for _ in range(5)) in SPEC
    assert str(Stream(seed, "t").shuffled(list(range(8)))) in SPEC
    assert str(Stream(seed, "t").sample(list(range(8)), 3)) in SPEC


def test_the_worked_example_is_what_the_platform_builds_and_the_verifier_accepts():
    stored = json.loads((DOCS / "draw-example-package.json").read_text(encoding="utf-8"))
    built = spec_example.package()
    assert stored == built
    assert built["seed"] in SPEC and built["record_hash"] in SPEC
    done = run_verifier([stored])
    assert done.returncode == 0 and "verified" in done.stdout, done.stderr


def test_the_joint_draw_vector_is_what_the_platform_builds_and_the_verifier_checks_each_bureaus_pools():
    stored = json.loads((DOCS / "draw-example-joint-package.json").read_text(encoding="utf-8"))
    built = spec_example.package(joint=True)
    assert stored == built
    assert built["seed"] in SPEC and built["record_hash"] in SPEC
    assert {"joint:2:name", "joint:2:tier:正科级", "joint:2:tier:副科级及以下", "joint:2:experts"} <= set(
        built["pool_hashes"])
    drawn = {c for row in built["schedule"] for c in row["officers"] + row["experts"]}
    assert {"甲档/JA10000", "甲档/JA20000", "甲档/ZJ001"} <= drawn  # the county's people really take part
    # Without the joined pools the seed and the result differ: they are part of the draw, not decoration.
    assert spec_example.package()["seed"] != built["seed"]
    swapped = json.loads(json.dumps(stored))
    swapped["pools"]["joint"][0]["experts"][0]["code"] = "甲档/ZJ009"
    renamed = json.loads(json.dumps(stored))
    renamed["pools"]["joint"][0]["name"] = "乙区档案局"
    dropped = json.loads(json.dumps(stored))
    del dropped["pools"]["joint"]
    done = run_verifier([stored, swapped, renamed, dropped])
    assert done.returncode == 1
    assert "package-0.json: draw 1 (2027) verified" in done.stdout
    assert "joint draw: the pools of 甲县档案局 (2) are hashed separately" in done.stdout
    for index in (1, 2, 3):
        assert f"package-{index}.json: DIFFERENT: pools do not match their hashes: joint:2:" in done.stderr, \
            done.stderr
