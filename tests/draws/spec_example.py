"""The worked example of docs/draw-specification.md, built with the platform's own code from fixed inputs
(fixed salts, nonce and entropy): `python -m tests.draws.spec_example > docs/draw-example-package.json`."""

from __future__ import annotations

import json
from typing import Any

from app.draws.services import algorithm_v2
from app.draws.services.generator import derive_seed, sha256
from app.draws.services.pools import combined, commitment, pool_hashes, public_pools

NONCE = "6e6f6e6365" + "00" * 27
ENTROPY = "315264"


def _entry(kind: str, n: int, **fields: Any) -> dict[str, Any]:
    entry = {**fields, "salt": f"{n:032x}"}
    return {**entry, "commitment": commitment(kind, entry)}


def pools() -> dict[str, Any]:
    """Six objects, two tiers (three and two officers), three experts, three blocked pairs, eight working days."""
    objects = [_entry("objects", i, id=i, code=f"12000000MB0{i:07d}", name=f"示例单位{i}") for i in range(1, 7)]
    tiers = [{"id": 1, "name": "正科级", "officers": [
        _entry("officers", 10 + k, id=10 + k, code=f"ZF1000{k}", name=f"执法人员甲{k}", unit_code="")
        for k in range(3)]},
        {"id": 2, "name": "副科级及以下", "officers": [
            _entry("officers", 20 + k, id=20 + k, code=f"ZF2000{k}", name=f"执法人员乙{k}", unit_code="")
            for k in range(2)]}]
    experts = [_entry("experts", 30 + k, id=30 + k, code=f"ZJ00{k}", name=f"专家{k}", unit_code="") for k in range(3)]
    blocked = [["expert", "ZJ000", "12000000MB00000002"], ["officer", "ZF10000", "12000000MB00000001"],
               ["officer", "ZF10001", "12000000MB00000001"]]
    workdays = ["2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04", "2027-03-05", "2027-03-08", "2027-03-09",
                "2027-03-10"]
    calendar = {"from": "2027-03-01", "to": "2027-03-10", "workdays": workdays, "overrides": 0}
    return {"objects": objects, "tiers": tiers, "experts": experts, "blocked": blocked, "calendar": calendar}


def joint_pools() -> dict[str, Any]:
    """§4.1's vector: the example's pools with county 甲县档案局 (甲档) joining with officers and experts; one of
    its experts works at object …0003 (blocked), and its expert code ZJ000 repeats the city's."""
    frozen = pools()
    county = {"bureau": 2, "name": "甲县档案局", "tiers": [
        {"name": "正科级", "officers": [_entry("officers", 40, id=40, code="甲档/JA10000", name="甲县执法人员一",
                                                unit_code="")]},
        {"name": "副科级及以下", "officers": [_entry("officers", 41, id=41, code="甲档/JA20000",
                                                      name="甲县执法人员二", unit_code="")]}],
        "experts": [_entry("experts", 50, id=50, code="甲档/ZJ000", name="甲县专家一", unit_code=""),
                    _entry("experts", 51, id=51, code="甲档/ZJ001", name="甲县专家二",
                           unit_code="12000000MB00000003")]}
    frozen["joint"] = [county]
    frozen["blocked"] = sorted([*frozen["blocked"], ["expert", "甲档/ZJ001", "12000000MB00000003"]])
    return frozen


def package(joint: bool = False) -> dict[str, Any]:
    """The example verification package (version 2), exactly as the platform would publish it (`joint`: the
    §4.1 vector)."""
    frozen = joint_pools() if joint else pools()
    params = {"year": 2027, "scope": "annual", "ratio": "0.5", "rest_years": 1, "experts_per_team": 1,
              "experts_to_draw": 5 if joint else 3, "tier_ids": [1, 2], "item_codes": [], "period_start": "2027-03-01",
              "period_end": "2027-03-10"}
    hashes = pool_hashes(frozen)
    seed = derive_seed(hashes, NONCE, ENTROPY, algorithm_v2.VERSION)
    result = algorithm_v2.run(combined(frozen), params, seed)
    schedule = algorithm_v2.schedule(result, frozen["calendar"]["workdays"])
    body: dict[str, Any] = {
        "format": "draw-verification-package/1", "bureau": "示例市档案局", "draw": 1, "year": 2027,
        "scope": "annual", "status": "confirmed", "algorithm": algorithm_v2.VERSION, "params": params,
        "pools": public_pools(frozen), "pool_hashes": hashes, "nonce_hash": sha256(NONCE), "nonce": NONCE,
        "entropy": ENTROPY, "seed": seed, "result": result, "schedule": schedule, "attempts": [], "organiser": 1,
        "witness": 2, "redraw_of": None, "exclusions_hash": sha256([])}
    fields = {"draw": 1, "year": 2027, "scope": "annual", "params": params, "pool_hashes": hashes,
              "exclusions": sha256([]), "nonce_hash": body["nonce_hash"], "nonce": NONCE, "entropy": ENTROPY,
              "seed": seed, "algorithm": algorithm_v2.VERSION, "result": result, "schedule": schedule,
              "attempts": [], "organiser": 1, "witness": 2, "redraw_of": None}
    body["record_hash"] = sha256(fields)
    return body


if __name__ == "__main__":
    import sys

    print(json.dumps(package(joint="--joint" in sys.argv), ensure_ascii=False, sort_keys=True, indent=1))
