"""The generator and the draw algorithm as pure functions: determinism, invariants, conflicts, edge cases, fairness."""

import math
from collections import Counter

import pytest

from app.draws.services.algorithm import DrawImpossible, run, selection_size
from app.draws.services.generator import Stream, derive_seed, sha256

SEED = sha256("test")


def pools(objects=20, officers=(3, 4, 2), experts=5, conflicts=()):
    return {
        "objects": [{"id": i, "code": f"O{i:03d}", "name": f"单位{i}"} for i in range(objects)],
        "tiers": [{"id": t, "name": f"T{t}", "officers": [{"id": 100 * t + k, "code": f"T{t}-{k}", "name": f"人{t}-{k}",
                                                            "unit_code": ""} for k in range(count)]}
                  for t, count in enumerate(officers)],
        "experts": [{"id": k, "code": f"E{k}", "name": f"专家{k}", "unit_code": ""} for k in range(experts)],
        "conflicts": [list(c) for c in conflicts],
    }


PARAMS = {"ratio": "0.2", "experts_per_team": 1, "experts_to_draw": 0}


def test_stream_is_stable_across_versions_of_python():
    """Pinned values: if these change, old draws no longer verify — bump ALGORITHM_VERSION instead."""
    stream = Stream(SEED, "objects")
    assert [stream.below(1000) for _ in range(6)] == [962, 38, 781, 2, 381, 765]
    assert Stream(SEED, "objects").shuffled(list(range(8))) == [4, 5, 0, 1, 6, 3, 7, 2]


def test_same_inputs_same_result_and_labels_are_independent():
    assert run(pools(), PARAMS, SEED) == run(pools(), PARAMS, SEED)
    assert run(pools(), PARAMS, SEED) != run(pools(), PARAMS, sha256("other"))


def test_seed_derivation_depends_on_every_input():
    base = derive_seed({"objects": "a"}, "nonce", "123456")
    assert base != derive_seed({"objects": "b"}, "nonce", "123456")
    assert base != derive_seed({"objects": "a"}, "nonce2", "123456")
    assert base != derive_seed({"objects": "a"}, "nonce", "123457")


@pytest.mark.parametrize(("ratio", "eligible", "expected"), [("0.2", 20, 4), ("0.2", 12, 2), ("0.2", 3, 1),
                                                              ("0.25", 10, 3), ("1", 7, 7), ("0.01", 10, 1)])
def test_ratio_rounds_half_up_with_at_least_one(ratio, eligible, expected):
    assert selection_size(ratio, eligible) == expected


def test_invariants_quotas_within_one_teams_complete():
    result = run(pools(objects=57, officers=(4, 5, 3), experts=6), PARAMS, SEED)
    n = result["selected_count"]
    assert n == 11 and len(set(result["selected"])) == n
    for tier in result["tiers"]:
        counts = list(tier["quotas"].values())
        assert sum(counts) == n and max(counts) - min(counts) <= 1
    for team in result["teams"]:
        assert len(team["officers"]) == 3 and len(team["experts"]) == 1
    expert_counts = list(result["experts"]["quotas"].values())
    assert max(expert_counts) - min(expert_counts) <= 1


def test_more_officers_than_objects():
    result = run(pools(objects=5, officers=(4, 9)), PARAMS, SEED)
    assert sorted(result["tiers"][1]["quotas"].values()) == [0] * 8 + [1]


def test_conflicts_and_own_units_are_avoided_deterministically():
    base = pools(objects=10, officers=(2, 2), experts=2)
    selected = run(base, {**PARAMS, "ratio": "1"}, SEED)
    first_object = selected["tiers"][0]["assignment"]
    victim_object, officer = next(iter(first_object.items()))
    base["tiers"][0]["officers"][0]["unit_code"] = victim_object  # an officer's own unit
    conflicted = pools(objects=10, officers=(2, 2), experts=2, conflicts=[("expert", "E0", "O003")])
    conflicted["tiers"] = base["tiers"]
    result = run(conflicted, {**PARAMS, "ratio": "1"}, SEED)
    for team in result["teams"]:
        for code in team["officers"]:
            person = next(o for t in conflicted["tiers"] for o in t["officers"] if o["code"] == code)
            assert person["unit_code"] != team["object"]
        assert not (team["object"] == "O003" and "E0" in team["experts"])
    assert result == run(conflicted, {**PARAMS, "ratio": "1"}, SEED)


def test_impossible_constraints_fail_with_a_reason():
    every = [("officer", "T0-0", f"O{i:03d}") for i in range(3)]
    with pytest.raises(DrawImpossible, match="无法避开回避关系"):
        run(pools(objects=3, officers=(1, 1), conflicts=every), {**PARAMS, "ratio": "1"}, SEED)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"objects": 0}, "没有符合条件的检查对象"),
    ({"officers": (3, 0)}, "没有可抽取的执法人员"),
    ({"officers": (3,)}, "至少需要两名执法人员"),
    ({"experts": 0}, "专家库中没有"),
])
def test_edge_cases(kwargs, message):
    with pytest.raises(DrawImpossible, match=message):
        run(pools(**kwargs), PARAMS, SEED)


# Chi-square critical value for 19 degrees of freedom at significance 0.001.
CHI2_19_0_001 = 43.820


def test_fairness_every_object_equally_likely_over_thousands_of_seeds():
    eligible, draws = 20, 4000
    counts: Counter[str] = Counter()
    base = pools(objects=eligible)
    for i in range(draws):
        for code in run(base, PARAMS, sha256(f"seed-{i}"))["selected"]:
            counts[code] += 1
    expected = draws * 4 / eligible
    chi2 = sum((counts[f"O{k:03d}"] - expected) ** 2 / expected for k in range(eligible))
    assert chi2 < CHI2_19_0_001, chi2


def test_the_fairness_test_can_fail():
    """A biased selector (favouring the first objects) is caught by the same statistic."""
    eligible, draws = 20, 4000
    counts: Counter[int] = Counter()
    for i in range(draws):
        stream = Stream(sha256(f"seed-{i}"), "biased")
        chosen = {min(stream.below(eligible), stream.below(eligible)) for _ in range(4)}
        counts.update(chosen)
    total = sum(counts.values())
    expected = total / eligible
    chi2 = sum((counts[k] - expected) ** 2 / expected for k in range(eligible))
    assert chi2 > CHI2_19_0_001
    assert math.isfinite(chi2)
