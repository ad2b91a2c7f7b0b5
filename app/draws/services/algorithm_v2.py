"""The three-random draw, version 2: the same sampling and shuffles as version 1, then a conflict-free assignment
with quotas differing by at most one found by maximum flow (never failing when one exists), and a schedule on the
frozen working days with nobody on two inspections the same day. Every byte is in docs/draw-specification.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.draws.services.algorithm import DrawImpossible, selection_size
from app.draws.services.assignment import Infeasible, assign
from app.draws.services.generator import Stream
from app.errors import N_

VERSION = "hmac-sha256-flow/2"
SHOWN = 8


def _names(codes: list[str], names: dict[str, str]) -> str:
    shown = "、".join(names.get(c, c) for c in codes[:SHOWN])
    return shown + (f" 等 {len(codes)} 个" if len(codes) > SHOWN else "")


def _published_names(pools: dict[str, Any]) -> dict[str, str]:
    """Names for failure messages: published names only (experts are named by their code)."""
    names = {o["code"]: o["name"] for o in pools["objects"]}
    names.update({p["code"]: p["name"] for t in pools["tiers"] for p in t["officers"]})
    return names


def _blocked(pools: dict[str, Any], kind: str) -> set[tuple[str, str]]:
    return {(person, obj) for k, person, obj in pools["blocked"] if k == kind}


def run(pools: dict[str, Any], params: dict[str, Any], seed: str) -> dict[str, Any]:
    """Stages (a)–(c); every intermediate result is returned for the record."""
    objects = pools["objects"]
    if not objects:
        raise DrawImpossible(N_("没有符合条件的检查对象，无法抽取。"))
    if len(pools["tiers"]) < 2:
        raise DrawImpossible(N_("每个检查组至少需要两名执法人员：请至少选择两个职务层次。"))
    n = selection_size(params["ratio"], len(objects))
    selected = Stream(seed, "objects").sample(objects, n)
    codes = [o["code"] for o in selected]
    result: dict[str, Any] = {"eligible": len(objects), "selected_count": n, "selected": codes, "tiers": [],
                              "experts": None}
    teams: dict[str, dict[str, list[str]]] = {c: {"officers": [], "experts": []} for c in codes}
    blocked_officers = _blocked(pools, "officer")
    for tier in pools["tiers"]:
        if not tier["officers"]:
            raise DrawImpossible(N_("职务层次“%(tier)s”没有可抽取的执法人员。"), tier=tier["name"])
        order = [o["code"] for o in Stream(seed, f"tier:{tier['name']}").shuffled(tier["officers"])]
        dealt = [o["code"] for o in Stream(seed, f"deal:{tier['name']}").shuffled(selected)]
        try:
            done = assign(dealt, order, 1, blocked_officers)
        except Infeasible as exc:
            names = _published_names(pools)
            raise DrawImpossible(N_("无法避开回避关系（职务层次“%(tier)s”）：检查对象 %(objects)s 共需 %(needed)s 名"
                                    "执法人员，而可以检查它们的 %(people)s 按配额最多只能承担 %(capacity)s 个。"),
                                 tier=tier["name"], objects=_names(exc.objects, names),
                                 people=_names(exc.people, names) or "（无人）", needed=exc.needed,
                                 capacity=exc.capacity) from exc
        for code in codes:
            teams[code]["officers"].append(done.teams[code][0])
        result["tiers"].append({"tier": tier["name"], "officer_order": order, "deal": dealt,
                                "assignment": {c: done.teams[c][0] for c in codes},
                                "quotas": {c: done.loads[c] for c in order}, "removed": done.removed,
                                "augmentations": done.augmentations})
    per_team = int(params["experts_per_team"])
    wanted = int(params["experts_to_draw"])
    if per_team < 1 or wanted < per_team or wanted > len(pools["experts"]):
        raise DrawImpossible(N_("专家人数参数与专家库不符：每组 %(per)s 名，抽取 %(want)s 名，库中 %(pool)s 名。"),
                             per=per_team, want=wanted, pool=len(pools["experts"]))
    drawn = [e["code"] for e in Stream(seed, "experts").sample(pools["experts"], wanted)]
    dealt = [o["code"] for o in Stream(seed, "expert-deal").shuffled(selected)]
    try:
        done = assign(dealt, drawn, per_team, _blocked(pools, "expert"))
    except Infeasible as exc:
        names = _published_names(pools)
        raise DrawImpossible(N_("无法避开回避关系（专家）：检查对象 %(objects)s 共需 %(needed)s 个专家名额，而可以"
                                "派往它们的专家 %(people)s 按配额最多只能提供 %(capacity)s 个。"),
                             objects=_names(exc.objects, names), people=_names(exc.people, names) or "（无人）",
                             needed=exc.needed, capacity=exc.capacity) from exc
    for code in codes:
        teams[code]["experts"] = list(done.teams[code])
    result["experts"] = {"drawn": drawn, "deal": dealt, "assignment": {c: done.teams[c] for c in codes},
                         "quotas": {c: done.loads[c] for c in drawn}, "removed": done.removed,
                         "augmentations": done.augmentations}
    result["teams"] = [{"object": c, **teams[c]} for c in codes]
    return result


def schedule(result: dict[str, Any], workdays: list[str], names: dict[str, str] | None = None
             ) -> list[dict[str, Any]]:
    """Dates for the teams in draw order: team i aims at working day i·D // n and takes the first day from there
    (wrapping round) on which none of its members is booked. When there is none, the first day (same scan) on
    which exactly one earlier team blocks it is freed by moving that team to its own first free day after it."""
    names = names or {}
    teams = result["teams"]
    if not workdays:
        raise DrawImpossible(N_("计划检查期间没有工作日。"))
    size = len(workdays)
    booked: dict[str, dict[int, int]] = {}  # person → day → team index
    days: list[int] = []

    def members(index: int) -> list[str]:
        return teams[index]["officers"] + teams[index]["experts"]

    def free(index: int, day: int, ignore: int = -1) -> bool:
        return all(booked.get(m, {}).get(day, ignore) == ignore for m in members(index))

    def book(index: int, day: int) -> None:
        for m in members(index):
            booked.setdefault(m, {})[day] = index

    for i in range(len(teams)):
        start = i * size // len(teams)
        day = next((d for d in _scan(start, size) if free(i, d)), None)
        if day is None:
            day = _repair(i, list(_scan(start, size)), size, members, free, booked, days, book)
        if day is None:
            raise DrawImpossible(N_("计划检查期间的工作日不足：无法为 %(object)s 安排一个检查组成员都空闲的日期。"),
                                 object=names.get(teams[i]["object"], teams[i]["object"]))
        book(i, day)
        days.append(day)
    return [{"object": team["object"], "date": workdays[days[i]], "officers": team["officers"],
             "experts": team["experts"]} for i, team in enumerate(teams)]


def _scan(start: int, size: int) -> Iterator[int]:
    """Days start, start + 1, … wrapping round, each once."""
    return ((start + step) % size for step in range(size))


def _repair(i: int, scan: list[int], size: int, members: Any, free: Any, booked: dict[str, dict[int, int]],
            days: list[int], book: Any) -> int | None:
    """Free a day for team i by moving the single earlier team that blocks it (see schedule)."""
    for day in scan:
        blockers = {booked[m][day] for m in members(i) if day in booked.get(m, {})}
        if len(blockers) != 1:
            continue
        other = blockers.pop()
        for step in range(1, size):
            target = (days[other] + step) % size
            if target != day and free(other, target, ignore=other):
                for m in members(other):
                    del booked[m][days[other]]
                days[other] = target
                book(other, target)
                return day
    return None
