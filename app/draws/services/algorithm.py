"""The three-random draw as a pure function of its frozen pools, parameters and seed.

Stage (a) samples this year's objects; stage (b) deals them, per tier, to that tier's shuffled officers so
quotas differ by at most one; stage (c) samples experts and deals them to the objects as evenly as possible.
Conflicts of interest (own unit, declared 回避) are avoided by deterministic swaps that keep every quota;
when that is impossible the draw fails with the reason and nothing is saved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.draws.services.generator import Stream
from app.errors import N_, DomainError


class DrawImpossible(DomainError):
    """The constraints cannot be met; nothing is saved."""


Person = dict[str, Any]
Obj = dict[str, Any]


def selection_size(ratio: str, eligible: int) -> int:
    """round(ratio × eligible), half up, at least one."""
    return max(1, int((Decimal(ratio) * eligible).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _blocked(kind: str, person: Person, obj: Obj, conflicts: set[tuple[str, str, str]]) -> bool:
    return bool(person.get("unit_code")) and person["unit_code"] == obj["code"] or \
        (kind, person["code"], obj["code"]) in conflicts


def _resolve(kind: str, pairs: list[list[Any]], conflicts: set[tuple[str, str, str]],
             unique_in_team: bool = False) -> list[dict[str, str]]:
    """Swap people between objects until no pair is blocked (and, for experts, nobody sits twice in one team).

    Swaps keep every person's quota. Deterministic: pairs are scanned in order and the first workable swap wins.
    Returns the swaps made, in order.
    """
    swaps: list[dict[str, str]] = []
    members: dict[str, Counter[str]] = defaultdict(Counter)
    if unique_in_team:
        for obj, person in pairs:
            members[obj["code"]][person["code"]] += 1

    def bad(obj: Obj, person: Person) -> bool:
        if _blocked(kind, person, obj, conflicts):
            return True
        return unique_in_team and members[obj["code"]][person["code"]] > 1

    def move(obj: Obj, out: Person, into: Person) -> None:
        if unique_in_team:
            members[obj["code"]][out["code"]] -= 1
            members[obj["code"]][into["code"]] += 1

    for i, (obj_i, person_i) in enumerate(pairs):
        if not bad(obj_i, person_i):
            continue
        for j, (obj_j, person_j) in enumerate(pairs):
            if j == i or obj_j["code"] == obj_i["code"] or person_j["code"] == person_i["code"]:
                continue
            move(obj_i, person_i, person_j)
            move(obj_j, person_j, person_i)
            if not bad(obj_i, person_j) and not bad(obj_j, person_i):
                pairs[i][1], pairs[j][1] = person_j, person_i
                swaps.append({"object": obj_i["code"], "swapped_with": obj_j["code"],
                              "out": person_i["code"], "in": person_j["code"]})
                break
            move(obj_i, person_j, person_i)
            move(obj_j, person_i, person_j)
        else:
            raise DrawImpossible(N_("无法避开回避关系：%(person)s 不能检查 %(object)s，且无法与他人调换。"),
                                 person=person_i["name"], object=obj_i["name"])
    return swaps


def run(pools: dict[str, Any], params: dict[str, Any], seed: str) -> dict[str, Any]:
    """The whole draw; every intermediate result is returned for the record."""
    objects: list[Obj] = pools["objects"]
    if not objects:
        raise DrawImpossible(N_("没有符合条件的检查对象，无法抽取。"))
    tiers = pools["tiers"]
    if len(tiers) < 2:
        raise DrawImpossible(N_("每个检查组至少需要两名执法人员：请至少选择两个职务层次。"))
    for tier in tiers:
        if not tier["officers"]:
            raise DrawImpossible(N_("职务层次“%(tier)s”没有可抽取的执法人员。"), tier=tier["name"])
    conflicts = {(kind, person, obj) for kind, person, obj in pools.get("conflicts", [])}

    n = selection_size(params["ratio"], len(objects))
    selected = Stream(seed, "objects").sample(objects, n)
    result: dict[str, Any] = {"eligible": len(objects), "selected_count": n,
                              "selected": [o["code"] for o in selected], "tiers": [], "experts": None}
    teams: dict[str, dict[str, list[str]]] = {o["code"]: {"officers": [], "experts": []} for o in selected}

    for tier in tiers:
        officers = Stream(seed, f"tier:{tier['name']}").shuffled(tier["officers"])
        dealt = Stream(seed, f"deal:{tier['name']}").shuffled(selected)
        pairs = [[obj, officers[i % len(officers)]] for i, obj in enumerate(dealt)]
        swaps = _resolve("officer", pairs, conflicts)
        quotas: dict[str, int] = {o["code"]: 0 for o in officers}
        for obj, officer in pairs:
            teams[obj["code"]]["officers"].append(officer["code"])
            quotas[officer["code"]] += 1
        result["tiers"].append({"tier": tier["name"], "officer_order": [o["code"] for o in officers],
                                "assignment": {obj["code"]: officer["code"] for obj, officer in pairs},
                                "quotas": quotas, "swaps": swaps})

    per_team = int(params.get("experts_per_team", 1))
    if per_team > 0:
        experts = pools["experts"]
        if not experts:
            raise DrawImpossible(N_("专家库中没有可抽取的专家。"))
        wanted = int(params.get("experts_to_draw") or 0) or n * per_team
        drawn = Stream(seed, "experts").sample(experts, min(wanted, len(experts)))
        if len(drawn) < per_team:
            raise DrawImpossible(N_("每组需要 %(need)s 名专家，但只能抽到 %(have)s 名。"), need=per_team,
                                 have=len(drawn))
        slots = Stream(seed, "expert-deal").shuffled([obj for obj in selected for _ in range(per_team)])
        pairs = [[obj, drawn[i % len(drawn)]] for i, obj in enumerate(slots)]
        swaps = _resolve("expert", pairs, conflicts, unique_in_team=True)
        assignment: dict[str, list[str]] = {}
        quotas = {e["code"]: 0 for e in drawn}
        for obj, expert in pairs:
            assignment.setdefault(obj["code"], []).append(expert["code"])
            teams[obj["code"]]["experts"].append(expert["code"])
            quotas[expert["code"]] += 1
        result["experts"] = {"drawn": [e["code"] for e in drawn], "assignment": assignment, "quotas": quotas,
                             "swaps": swaps}
    result["teams"] = [{"object": code, **teams[code]} for code in result["selected"]]
    return result
