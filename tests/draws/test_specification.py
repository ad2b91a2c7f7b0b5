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
