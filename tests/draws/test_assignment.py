"""The v2 assignment (maximum flow with quotas) against brute force: it finds an assignment whenever one exists,
and its proof of impossibility is a real obstruction otherwise."""

import itertools
import random

import pytest

from app.draws.services.algorithm import DrawImpossible
from app.draws.services.algorithm_v2 import run
from app.draws.services.assignment import Infeasible, assign
from app.draws.services.generator import sha256


def brute_force(objects, people, demand, blocked):
    """Whether any assignment meets every rule (by enumeration)."""
    slots = len(objects) * demand
    q, r = divmod(slots, len(people)) if people else (0, 0)
    choices = [[c for c in itertools.combinations(people, demand) if all((p, o) not in blocked for p in c)]
               for o in objects]
    for pick in itertools.product(*choices):
        loads = {p: 0 for p in people}
        for team in pick:
            for p in team:
                loads[p] += 1
        if all(q <= v <= q + 1 for v in loads.values()) and sum(v == q + 1 for v in loads.values()) == r:
            return True
    return False


def check_valid(result, objects, people, demand, blocked):
    slots = len(objects) * demand
    q, r = divmod(slots, len(people))
    for o in objects:
        team = result.teams[o]
        assert len(team) == demand == len(set(team))
        assert all((p, o) not in blocked for p in team)
    loads = list(result.loads.values())
    assert all(q <= v <= q + 1 for v in loads) and sum(v == q + 1 for v in loads) == r
    assert sum(loads) == slots


def check_proof(exc, objects, people, demand, blocked):
    """The cut is a true obstruction: the named objects need more than the named people can give."""
    assert exc.needed > exc.capacity and exc.objects
    if demand == 1:  # a Hall violator: Y is exactly everyone allowed for X
        allowed = {p for p in people for o in exc.objects if (p, o) not in blocked}
        assert allowed == set(exc.people)
        q, r = divmod(len(objects), len(people))
        assert len(exc.objects) > q * len(allowed) + min(len(allowed), r)


def test_the_issue_scenario_always_succeeds():
    """Officers P, Q, R; conflicts P–X, Q–X, P–Z: X–R, Y–P, Z–Q exists, so no seed may fail."""
    blocked = {("P", "X"), ("Q", "X"), ("P", "Z")}
    for i in range(1000):
        rng = random.Random(i)
        objects, people = rng.sample(["X", "Y", "Z"], 3), rng.sample(["P", "Q", "R"], 3)
        result = assign(objects, people, 1, blocked)
        assert result.teams == {"X": ["R"], "Y": ["P"], "Z": ["Q"]}


def test_the_issue_scenario_through_the_whole_draw():
    pools = {"objects": [{"code": c, "name": c} for c in "XYZ"],
             "tiers": [{"name": "甲", "officers": [{"code": c, "name": c} for c in "PQR"]},
                       {"name": "乙", "officers": [{"code": c, "name": c} for c in "ST"]}],
             "experts": [{"code": "E1"}, {"code": "E2"}, {"code": "E3"}],
             "blocked": [["officer", "P", "X"], ["officer", "Q", "X"], ["officer", "P", "Z"]]}
    params = {"ratio": "1", "experts_per_team": 1, "experts_to_draw": 3}
    for i in range(1000):
        result = run(pools, params, sha256(f"entropy-{i}"))
        assert result["tiers"][0]["assignment"] == {"X": "R", "Y": "P", "Z": "Q"}


def test_impossible_names_the_blocking_objects_and_people():
    blocked = {("P", "X"), ("Q", "X"), ("R", "X"), ("P", "Y")}
    with pytest.raises(Infeasible) as caught:
        assign(["X", "Y", "Z"], ["P", "Q", "R"], 1, blocked)
    assert caught.value.objects == ["X"] and caught.value.people == [] and caught.value.needed == 1
    pools = {"objects": [{"code": c, "name": f"单位{c}"} for c in "XY"],
             "tiers": [{"name": "甲", "officers": [{"code": "P", "name": "张三"}, {"code": "Q", "name": "李四"}]},
                       {"name": "乙", "officers": [{"code": "S", "name": "王五"}]}],
             "experts": [{"code": "E1"}], "blocked": [["officer", "P", "X"], ["officer", "P", "Y"]]}
    with pytest.raises(DrawImpossible) as caught:
        run(pools, {"ratio": "1", "experts_per_team": 1, "experts_to_draw": 1}, sha256("x"))
    message = str(caught.value)
    assert "单位X" in message and "单位Y" in message and "李四" in message and "甲" in message


def _instance(rng):
    n, m = rng.randint(1, 4), rng.randint(1, 4)
    demand = 1 if rng.random() < 0.75 else 2
    objects = [f"o{i}" for i in range(n)]
    people = [f"p{i}" for i in range(m)]
    density = rng.random() * 0.7
    blocked = {(p, o) for p in people for o in objects if rng.random() < density}
    return objects, people, demand, blocked


def test_ten_thousand_random_small_instances_agree_with_brute_force():
    rng = random.Random(20261122)
    outcomes = {True: 0, False: 0}
    for _ in range(10_000):
        objects, people, demand, blocked = _instance(rng)
        expected = brute_force(objects, people, demand, blocked)
        rng.shuffle(people)
        try:
            result = assign(objects, people, demand, blocked)
        except Infeasible as exc:
            assert not expected, (objects, people, demand, blocked)
            check_proof(exc, objects, people, demand, blocked)
            outcomes[False] += 1
        else:
            assert expected, (objects, people, demand, blocked)
            check_valid(result, objects, people, demand, blocked)
            outcomes[True] += 1
    assert min(outcomes.values()) > 1000  # both kinds well represented


def test_exhaustive_on_every_conflict_pattern_of_three_by_three():
    objects, people = ["a", "b", "c"], ["x", "y", "z"]
    pairs = [(p, o) for p in people for o in objects]
    for mask in range(1 << len(pairs)):
        blocked = {pair for k, pair in enumerate(pairs) if mask >> k & 1}
        expected = brute_force(objects, people, 1, blocked)
        try:
            check_valid(assign(objects, people, 1, blocked), objects, people, 1, blocked)
            assert expected
        except Infeasible as exc:
            assert not expected
            check_proof(exc, objects, people, 1, blocked)


def test_deterministic_for_the_same_order():
    objects, people = [f"o{i}" for i in range(30)], [f"p{i}" for i in range(7)]
    blocked = {(f"p{i % 7}", f"o{(i * 5) % 30}") for i in range(12)}
    first = assign(objects, people, 2, blocked)
    assert first.teams == assign(objects, people, 2, blocked).teams
