"""Draw benchmark (prints figures): 100,000 objects, 1,000 officers in three tiers and 300 experts, drawn in ≤ 2 s.

Measures the algorithm on frozen pools (stages a–c with conflicts) and the pool hashing, i.e. what `perform`
and `verify` compute, for version 1 (deal + swap scan) and version 2 (maximum-flow assignment + schedule with
nobody twice a day), the stand-alone verifier re-running version 2, and, on SQLite and PostgreSQL, the whole
prepare (freezing pools from the database, with commitments and the calendar) and perform at that size.
Run: .venv/bin/python benchmarks/draw.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and benchmarks/http.py would hide the standard
# `http` package (werkzeug imports http.server).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def synthetic_pools(objects: int = 100_000, officers: int = 1_000, experts: int = 300) -> dict:
    per_tier = officers // 3

    def unit(k: int, factor: int) -> str:
        return f"12888888{(k * factor) % objects:010d}"

    return {
        "objects": [{"id": i, "code": f"12888888{i:010d}", "name": f"单位{i}"} for i in range(objects)],
        "tiers": [{"id": t, "name": f"层次{t}", "officers": [
            {"id": t * 10_000 + k, "code": f"证{t}-{k:05d}", "name": f"人员{t}-{k}",
             "unit_code": unit(k, 97)} for k in range(per_tier + (officers % 3 if t == 0 else 0))]}
            for t in range(3)],
        "experts": [{"id": k, "code": f"ZJ{k:04d}", "name": f"专家{k}", "unit_code": unit(k, 31)}
                    for k in range(experts)],
        "conflicts": [["officer", f"证1-{k:05d}", f"12888888{(k * 13) % objects:010d}"] for k in range(200)],
    }


def v2_pools(pools: dict) -> dict:
    """The same pools in the version 2 layout: blocked pairs (own units and conflicts) and a frozen calendar."""
    codes = {o["code"] for o in pools["objects"]}
    blocked = {tuple(c) for c in pools["conflicts"]}
    blocked |= {("officer", o["code"], o["unit_code"]) for t in pools["tiers"] for o in t["officers"]
                if o["unit_code"] in codes}
    blocked |= {("expert", e["code"], e["unit_code"]) for e in pools["experts"] if e["unit_code"] in codes}
    workdays = [f"2027-{m:02d}-{d:02d}" for m in range(3, 11) for d in range(1, 29) if (m * 31 + d) % 7 < 5]
    salted = {"salt": "00" * 16, "commitment": "00" * 32}
    return {"objects": [{**o, **salted} for o in pools["objects"]],
            "tiers": [{**t, "officers": [{**o, **salted} for o in t["officers"]]} for t in pools["tiers"]],
            "experts": [{**e, **salted} for e in pools["experts"]], "blocked": [list(b) for b in sorted(blocked)],
            "calendar": {"from": "2027-03-01", "to": "2027-10-31", "workdays": workdays, "overrides": 0}}


def main() -> None:
    from app.draws.services import algorithm, algorithm_v2
    from app.draws.services.generator import derive_seed
    from app.draws.services.pools import pool_hashes, pool_hashes_v1

    pools = synthetic_pools()
    params = {"ratio": "0.2", "experts_per_team": 1, "experts_to_draw": 0}
    timings = []
    for attempt in range(3):
        t0 = time.perf_counter()
        hashes = pool_hashes_v1(pools)
        seed = derive_seed(hashes, "00" * 32, f"31526{attempt}")
        t1 = time.perf_counter()
        result = algorithm.run(pools, params, seed)
        t2 = time.perf_counter()
        timings.append((t1 - t0, t2 - t1))
    hashing, drawing = min(timings, key=lambda t: sum(t))
    swaps = sum(len(t["swaps"]) for t in result["tiers"])
    print(f"draw v1: 100,000 objects, 1,000 officers, 300 experts → {result['selected_count']} objects, "
          f"{swaps} conflict swaps: hash pools {hashing:.2f} s + draw {drawing:.2f} s = {hashing + drawing:.2f} s "
          f"(best of 3)")
    pools = v2_pools(pools)
    params = {"ratio": "0.2", "experts_per_team": 1, "experts_to_draw": 300}
    timings = []
    for attempt in range(3):
        t0 = time.perf_counter()
        hashes = pool_hashes(pools)
        seed = derive_seed(hashes, "00" * 32, f"31526{attempt}", algorithm_v2.VERSION)
        t1 = time.perf_counter()
        result = algorithm_v2.run(pools, params, seed)
        t2 = time.perf_counter()
        algorithm_v2.schedule(result, pools["calendar"]["workdays"])
        t3 = time.perf_counter()
        timings.append((t1 - t0, t2 - t1, t3 - t2))
    hashing, drawing, scheduling = min(timings, key=lambda t: sum(t))
    repairs = sum(t["augmentations"] for t in result["tiers"]) + result["experts"]["augmentations"]
    print(f"draw v2: 100,000 objects, 1,000 officers, 300 experts, {len(pools['blocked'])} blocked pairs, "
          f"{len(pools['calendar']['workdays'])} working days → {result['selected_count']} objects, "
          f"{repairs} augmenting paths: hash pools {hashing:.2f} s + draw {drawing:.2f} s + schedule "
          f"{scheduling:.2f} s = {hashing + drawing + scheduling:.2f} s (best of 3)   [target ≤ 2 s]")
    verifier(pools, params, seed, result)


def verifier(pools: dict, params: dict, seed: str, result: dict) -> None:
    """The stand-alone verifier re-running the same draw (what anyone checking a public package pays)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("verify_draw", Path(__file__).resolve().parents[1] / "tools"
                                                  / "verify_draw.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    t0 = time.perf_counter()
    again = module.run_v2(pools, params, seed)
    module.schedule_v2(again, pools["calendar"]["workdays"])
    t1 = time.perf_counter()
    assert again == result
    print(f"stand-alone verifier: re-run of the v2 draw and schedule {t1 - t0:.2f} s")


def with_database() -> None:
    """prepare (freeze from the database) and perform, on SQLite and PostgreSQL, at the same size."""
    from datetime import date

    from sqlalchemy import insert, select

    from app.auth.services import find_user
    from app.calendar import yearly
    from app.clock import utcnow
    from app.directories.models import Expert, InspectionObject, Officer, Tier
    from app.draws.services import draws
    from app.extensions import db
    from benchmarks._setup import database, make_app, pg_available

    for kind in ["sqlite"] + (["postgresql"] if pg_available() else []):
        with database(kind) as url:
            app = make_app(url)
            with app.app_context():
                now = utcnow()
                stamp = {"active": True, "created_at": now, "updated_at": now, "bureau_id": 1}
                db.session.execute(insert(InspectionObject), [
                    {"name": f"基准单位{i}", "credit_code": f"12888888{i:010d}", "unit_type": "agency",
                     "district": "", "address": "", "contact_person": "", "contact_phone": "", "archives_staff": "",
                     **stamp} for i in range(100_000)])
                tiers = list(db.session.scalars(select(Tier.id).order_by(Tier.position)))
                db.session.execute(insert(Officer), [
                    {"name": f"人员{k}", "unit": "", "unit_credit_code": "", "tier_id": tiers[k % 3],
                     "certificate_no": f"基准证{k:05d}", "certificate_valid_until": date(2099, 1, 1), "category": "",
                     "region": "", **stamp} for k in range(1_000)])
                db.session.execute(insert(Expert), [
                    {"code": f"JZ{k:04d}", "name": f"专家{k}", "unit": "", "unit_credit_code": "", "field": "",
                     "source": "city_unit", **stamp} for k in range(300)])
                year = utcnow().year + 1
                if not yearly.is_covered(year):  # the calendar must know the year: its schedule is imported
                    yearly.import_schedule(find_user("demo.admin"), year, f"休,{year}-10-01,{year}-10-07,国庆节\n",
                                           "benchmark")
                db.session.commit()
                t0 = time.perf_counter()
                draw = draws.prepare(find_user("demo.supervision"), {
                    "year": year, "ratio": "0.2", "tier_ids": tiers, "period_start": f"{year}-03-01",
                    "period_end": f"{year}-10-31"})
                t1 = time.perf_counter()
                draws.perform(find_user("demo.discipline"), draw, "123456")
                db.session.commit()
                t2 = time.perf_counter()
                print(f"draw on {kind:<10}: prepare (freeze pools from the database) {t1 - t0:.2f} s, "
                      f"perform (draw, schedule, save, audit) {t2 - t1:.2f} s, "
                      f"{draw.result['selected_count']} objects   [target ≤ 2 s for the draw]")


if __name__ == "__main__":
    main()
    with_database()
