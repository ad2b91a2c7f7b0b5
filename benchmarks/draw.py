"""Draw benchmark (prints figures): 100,000 objects, 1,000 officers in three tiers and 300 experts, drawn in ≤ 2 s.

Measures the algorithm on frozen pools (stages a–c with conflicts) and the pool hashing, i.e. what `perform`
and `verify` compute; and, on SQLite, the whole prepare (freezing pools from the database) at that size.
Run: .venv/bin/python benchmarks/draw.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

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


def main() -> None:
    from app.draws.services.algorithm import run
    from app.draws.services.generator import derive_seed
    from app.draws.services.pools import pool_hashes

    pools = synthetic_pools()
    params = {"ratio": "0.2", "experts_per_team": 1, "experts_to_draw": 0}
    timings = []
    for attempt in range(3):
        t0 = time.perf_counter()
        hashes = pool_hashes(pools)
        seed = derive_seed(hashes, "00" * 32, f"31526{attempt}")
        t1 = time.perf_counter()
        result = run(pools, params, seed)
        t2 = time.perf_counter()
        timings.append((t1 - t0, t2 - t1))
    hashing, drawing = min(timings, key=lambda t: sum(t))
    swaps = sum(len(t["swaps"]) for t in result["tiers"])
    print(f"draw: 100,000 objects, 1,000 officers, 300 experts → {result['selected_count']} objects, "
          f"{swaps} conflict swaps: hash pools {hashing:.2f} s + draw {drawing:.2f} s = {hashing + drawing:.2f} s "
          f"(best of 3)   [target ≤ 2 s]")


def with_database() -> None:
    """prepare (freeze from the database) and perform, on SQLite and PostgreSQL, at the same size."""
    from datetime import date

    from sqlalchemy import insert, select

    from app.auth.services import find_user
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
                db.session.commit()
                year = utcnow().year + 1
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
