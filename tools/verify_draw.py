#!/usr/bin/env python3
"""Stand-alone verifier of draw verification packages (抽取核验包), written from docs/draw-specification.md.

Standard library only; imports nothing of the platform. Usage:

    python3 -I tools/verify_draw.py package.json [more.json ...]

For each package it checks the nonce against its commitment, the pools against their hashes, the seed, re-runs
the draw (algorithm hmac-sha256-fy/1 or hmac-sha256-flow/2) and compares every stage, the schedule and its frozen
calendar, each failed attempt, and the record hash. Prints what it checked; exit status 0 when every package
verifies, 1 when one does not (naming the first difference), 2 on unreadable input.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from collections import Counter, defaultdict, deque
from decimal import ROUND_HALF_UP, Decimal

V1 = "hmac-sha256-fy/1"
V2 = "hmac-sha256-flow/2"
PUBLIC_FIELDS = {"objects": ("code", "name"), "officers": ("code", "name"), "experts": ("code",)}


class Impossible(Exception):
    """The draw cannot be completed with this seed (specification §7.4, §8)."""


class Mismatch(Exception):
    """The package does not verify."""


# §2 canonical JSON and hashes -------------------------------------------------------------------------------
def canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256(value):
    return hashlib.sha256(canonical(value)).hexdigest()


def derive_seed(pool_hashes, nonce, entropy, version):
    return sha256({"pools": pool_hashes, "nonce": nonce, "entropy": entropy, "algorithm": version})


# §5 streams ---------------------------------------------------------------------------------------------------
class Stream:
    def __init__(self, seed, label):
        self.key, self.label, self.counter, self.buffer = bytes.fromhex(seed), label.encode("utf-8"), 0, b""

    def take(self, size):
        while len(self.buffer) < size:
            message = self.label + b"\x00" + self.counter.to_bytes(8, "big")
            self.buffer += hmac.new(self.key, message, hashlib.sha256).digest()
            self.counter += 1
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        return chunk

    def below(self, n):
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            value = int.from_bytes(self.take(8), "big")
            if value < limit:
                return value % n

    def shuffled(self, items):
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result

    def sample(self, items, k):
        pool = list(items)
        k = min(k, len(pool))
        for i in range(k):
            j = i + self.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


def selection_size(ratio, eligible):
    return max(1, int((Decimal(ratio) * eligible).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


# §6 version 1 -------------------------------------------------------------------------------------------------
def _v1_resolve(kind, pairs, conflicts, unique):
    swaps, members = [], defaultdict(Counter)
    if unique:
        for obj, person in pairs:
            members[obj["code"]][person["code"]] += 1

    def bad(obj, person):
        if (person.get("unit_code") and person["unit_code"] == obj["code"]) or \
                (kind, person["code"], obj["code"]) in conflicts:
            return True
        return unique and members[obj["code"]][person["code"]] > 1

    def move(obj, out, into):
        if unique:
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
            raise Impossible(f"conflict of {person_i['code']} with {obj_i['code']} cannot be swapped away")
    return swaps


def run_v1(pools, params, seed):
    objects, tiers = pools["objects"], pools["tiers"]
    if not objects or len(tiers) < 2 or any(not t["officers"] for t in tiers):
        raise Impossible("pools cannot make a team")
    conflicts = {tuple(c) for c in pools.get("conflicts", [])}
    n = selection_size(params["ratio"], len(objects))
    selected = Stream(seed, "objects").sample(objects, n)
    result = {"eligible": len(objects), "selected_count": n, "selected": [o["code"] for o in selected],
              "tiers": [], "experts": None}
    teams = {o["code"]: {"officers": [], "experts": []} for o in selected}
    for tier in tiers:
        officers = Stream(seed, f"tier:{tier['name']}").shuffled(tier["officers"])
        dealt = Stream(seed, f"deal:{tier['name']}").shuffled(selected)
        pairs = [[obj, officers[i % len(officers)]] for i, obj in enumerate(dealt)]
        swaps = _v1_resolve("officer", pairs, conflicts, False)
        quotas = {o["code"]: 0 for o in officers}
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
            raise Impossible("no experts")
        wanted = int(params.get("experts_to_draw") or 0) or n * per_team
        drawn = Stream(seed, "experts").sample(experts, min(wanted, len(experts)))
        if len(drawn) < per_team:
            raise Impossible("too few experts")
        slots = Stream(seed, "expert-deal").shuffled([obj for obj in selected for _ in range(per_team)])
        pairs = [[obj, drawn[i % len(drawn)]] for i, obj in enumerate(slots)]
        swaps = _v1_resolve("expert", pairs, conflicts, True)
        assignment, quotas = {}, {e["code"]: 0 for e in drawn}
        for obj, expert in pairs:
            assignment.setdefault(obj["code"], []).append(expert["code"])
            teams[obj["code"]]["experts"].append(expert["code"])
            quotas[expert["code"]] += 1
        result["experts"] = {"drawn": [e["code"] for e in drawn], "assignment": assignment, "quotas": quotas,
                             "swaps": swaps}
    result["teams"] = [{"object": code, **teams[code]} for code in result["selected"]]
    return result


# §7 version 2: assignment by augmenting paths -------------------------------------------------------------
def assign(objects, people, demand, blocked):
    m = len(people)
    if m == 0:
        raise Impossible("nobody to assign")
    q, r = divmod(len(objects) * demand, m)
    teams, held, removed, index = {o: [] for o in objects}, {p: [] for p in people}, [], 0
    for obj in objects:
        for _ in range(demand):
            person = people[index % m]
            index += 1
            if (person, obj) in blocked or person in teams[obj]:
                removed.append([obj, person])
            else:
                teams[obj].append(person)
                held[person].append(obj)

    def search(starts):
        parent = {("o", o): None for o in starts}
        queue = deque(("o", o) for o in starts)
        bonus_free = sum(1 for p in people if len(held[p]) > q) < r
        while queue:
            node = queue.popleft()
            kind, name = node
            if kind == "o":
                for person in people:
                    nxt = ("p", person)
                    if nxt in parent or (person, name) in blocked or person in teams[name]:
                        continue
                    parent[nxt] = node
                    load = len(held[person])
                    if load < q or (load == q and bonus_free):
                        return parent, nxt
                    queue.append(nxt)
            elif kind == "p":
                if len(held[name]) == q and ("b", "") not in parent:
                    parent[("b", "")] = node
                    queue.append(("b", ""))
                for obj in held[name]:
                    if ("o", obj) not in parent:
                        parent[("o", obj)] = node
                        queue.append(("o", obj))
            else:
                for person in people:
                    if ("p", person) not in parent and len(held[person]) > q:
                        parent[("p", person)] = node
                        queue.append(("p", person))
        return parent, None

    def augment(starts):
        parent, end = search(starts)
        if end is None:
            return False
        path = [end]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])
        path.reverse()
        for a, b in zip(path, path[1:], strict=False):
            if a[0] == "o" and b[0] == "p":
                teams[a[1]].append(b[1])
                held[b[1]].append(a[1])
            elif a[0] == "p" and b[0] == "o":
                teams[b[1]].remove(a[1])
                held[a[1]].remove(b[1])
        return True

    augmentations = 0
    for obj in objects:
        while len(teams[obj]) < demand:
            if not augment([obj]):
                if not augment([o for o in objects if len(teams[o]) < demand]):
                    raise Impossible("no conflict-free assignment with quotas within one exists")
            augmentations += 1
    return teams, {p: len(held[p]) for p in people}, removed, augmentations


def run_v2(pools, params, seed):
    objects, tiers = pools["objects"], pools["tiers"]
    if not objects or len(tiers) < 2:
        raise Impossible("pools cannot make a team")
    n = selection_size(params["ratio"], len(objects))
    selected = Stream(seed, "objects").sample(objects, n)
    codes = [o["code"] for o in selected]
    result = {"eligible": len(objects), "selected_count": n, "selected": codes, "tiers": [], "experts": None}
    teams = {c: {"officers": [], "experts": []} for c in codes}
    blocked_officers = {(p, o) for k, p, o in pools["blocked"] if k == "officer"}
    for tier in tiers:
        if not tier["officers"]:
            raise Impossible(f"tier {tier['name']} has no officers")
        order = [o["code"] for o in Stream(seed, f"tier:{tier['name']}").shuffled(tier["officers"])]
        dealt = [o["code"] for o in Stream(seed, f"deal:{tier['name']}").shuffled(selected)]
        got, loads, removed, augmentations = assign(dealt, order, 1, blocked_officers)
        for c in codes:
            teams[c]["officers"].append(got[c][0])
        result["tiers"].append({"tier": tier["name"], "officer_order": order, "deal": dealt,
                                "assignment": {c: got[c][0] for c in codes},
                                "quotas": {c: loads[c] for c in order}, "removed": removed,
                                "augmentations": augmentations})
    per_team, wanted = int(params["experts_per_team"]), int(params["experts_to_draw"])
    if per_team < 1 or wanted < per_team or wanted > len(pools["experts"]):
        raise Impossible("expert parameters do not fit the pool")
    drawn = [e["code"] for e in Stream(seed, "experts").sample(pools["experts"], wanted)]
    dealt = [o["code"] for o in Stream(seed, "expert-deal").shuffled(selected)]
    got, loads, removed, augmentations = assign(dealt, drawn, per_team,
                                                {(p, o) for k, p, o in pools["blocked"] if k == "expert"})
    for c in codes:
        teams[c]["experts"] = list(got[c])
    result["experts"] = {"drawn": drawn, "deal": dealt, "assignment": {c: got[c] for c in codes},
                         "quotas": {c: loads[c] for c in drawn}, "removed": removed,
                         "augmentations": augmentations}
    result["teams"] = [{"object": c, **teams[c]} for c in codes]
    return result


def schedule_v2(result, workdays):
    if not workdays:
        raise Impossible("no working days")
    teams, size, booked, days = result["teams"], len(workdays), {}, []

    def members(index):
        return teams[index]["officers"] + teams[index]["experts"]

    def free(index, day, ignore=-1):
        return all(booked.get(m, {}).get(day, ignore) == ignore for m in members(index))

    def book(index, day):
        for m in members(index):
            booked.setdefault(m, {})[day] = index

    def repair(index, scan):
        for day in scan:
            blockers = {booked[m][day] for m in members(index) if day in booked.get(m, {})}
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

    for i in range(len(teams)):
        start = i * size // len(teams)
        day = next((d for d in ((start + step) % size for step in range(size)) if free(i, d)), None)
        if day is None:
            day = repair(i, [(start + step) % size for step in range(size)])
        if day is None:
            raise Impossible(f"no free working day for {teams[i]['object']}")
        book(i, day)
        days.append(day)
    return [{"object": t["object"], "date": workdays[days[i]], "officers": t["officers"], "experts": t["experts"]}
            for i, t in enumerate(teams)]


# §4 pool hashes, §9 record hash -------------------------------------------------------------------------------
def pool_hashes(package):
    pools = package["pools"]
    if package["algorithm"] == V1:
        hashes = {"objects": sha256(pools["objects"]), "experts": sha256(pools["experts"]),
                  "conflicts": sha256(pools["conflicts"])}
    else:
        for kind, entries in (("objects", pools["objects"]), ("experts", pools["experts"]),
                              *(("officers", t["officers"]) for t in pools["tiers"])):
            for entry in entries:
                if set(entry) != {*PUBLIC_FIELDS[kind], "commitment"} or len(entry["commitment"]) != 64:
                    raise Mismatch(f"pool entry {entry.get('code')} has other fields than the published ones")
        hashes = {"objects": sha256(pools["objects"]), "experts": sha256(pools["experts"]),
                  "blocked": sha256(pools["blocked"]), "calendar": sha256(pools["calendar"])}
    for tier in pools["tiers"]:
        hashes[f"tier:{tier['name']}"] = sha256(tier["officers"])
    if package["algorithm"] != V1:
        hashes.update(joint_hashes(pools))
    return hashes


def joint_hashes(pools):
    """§4.1: a joint draw's joined bureaus, each with its own pool hashes."""
    hashes = {}
    if "joint" not in pools:
        return hashes
    if not pools["joint"]:
        raise Mismatch("an empty 'joint' list: a draw without joined bureaus has no 'joint' key")
    bureaus = [part["bureau"] for part in pools["joint"]]
    if len(set(bureaus)) != len(bureaus):
        raise Mismatch("a bureau joins twice")
    names = [t["name"] for t in pools["tiers"]]
    for part in pools["joint"]:
        if set(part) != {"bureau", "name", "tiers", "experts"} or (part["tiers"] is None and part["experts"] is None):
            raise Mismatch(f"joined bureau {part.get('bureau')} is not in the form of §4.1")
        key = f"joint:{part['bureau']}"
        hashes[f"{key}:name"] = sha256(part["name"])
        if part["tiers"] is not None:
            if [t["name"] for t in part["tiers"]] != names:
                raise Mismatch(f"joined bureau {part['bureau']}: its tiers are not the draw's tiers in order")
            for tier in part["tiers"]:
                check_entries("officers", tier["officers"])
                hashes[f"{key}:tier:{tier['name']}"] = sha256(tier["officers"])
        if part["experts"] is not None:
            check_entries("experts", part["experts"])
            hashes[f"{key}:experts"] = sha256(part["experts"])
    return hashes


def check_entries(kind, entries):
    for entry in entries:
        if set(entry) != {*PUBLIC_FIELDS[kind], "commitment"} or len(entry["commitment"]) != 64:
            raise Mismatch(f"pool entry {entry.get('code')} has other fields than the published ones")


def combined(pools):
    """§4.1: each tier's officers followed by the joined bureaus' officers of that tier, the experts followed by
    the joined bureaus' experts (joined order); every code at most once."""
    joint = pools.get("joint") or []
    if not joint:
        return pools
    tiers = []
    for tier in pools["tiers"]:
        officers = list(tier["officers"])
        for part in joint:
            officers += next((t["officers"] for t in part["tiers"] or [] if t["name"] == tier["name"]), [])
        tiers.append({"name": tier["name"], "officers": officers})
    experts = list(pools["experts"]) + [e for part in joint for e in part["experts"] or []]
    codes = [o["code"] for t in tiers for o in t["officers"]]
    if len(set(codes)) != len(codes) or len({e["code"] for e in experts}) != len(experts):
        raise Mismatch("a person's code appears twice in the joint pools")
    return {**pools, "tiers": tiers, "experts": experts}


def record_hash(p):
    if p["algorithm"] == V1:
        return sha256({"year": p["year"], "params": p["params"], "pools": p["pools"], "pool_hashes": p["pool_hashes"],
                       "exclusions": p["exclusions"], "nonce_hash": p["nonce_hash"], "nonce": p["nonce"],
                       "entropy": p["entropy"], "seed": p["seed"], "algorithm": p["algorithm"],
                       "result": p["result"], "schedule": p["schedule"], "organiser": p["organiser"],
                       "witness": p["witness"], "redraw_of": p["redraw_of"]})
    return sha256({"draw": p["draw"], "year": p["year"], "scope": p["scope"], "params": p["params"],
                   "pool_hashes": p["pool_hashes"], "exclusions": p["exclusions_hash"],
                   "nonce_hash": p["nonce_hash"], "nonce": p["nonce"], "entropy": p["entropy"], "seed": p["seed"],
                   "algorithm": p["algorithm"], "result": p["result"], "schedule": p["schedule"],
                   "attempts": p["attempts"], "organiser": p["organiser"], "witness": p["witness"],
                   "redraw_of": p["redraw_of"]})


def run(package, seed):
    if package["algorithm"] == V1:
        return run_v1(package["pools"], package["params"], seed), package["schedule"]
    result = run_v2(combined(package["pools"]), package["params"], seed)
    return result, schedule_v2(result, package["pools"]["calendar"]["workdays"])


def verify(package):
    """The checks passed, in order; raises Mismatch at the first difference."""
    checks = []
    if package.get("algorithm") not in (V1, V2):
        raise Mismatch(f"unknown algorithm {package.get('algorithm')}")
    hashes = pool_hashes(package)
    if hashes != package["pool_hashes"]:
        raise Mismatch("pools do not match their hashes: "
                       + ", ".join(k for k in sorted(set(hashes) | set(package["pool_hashes"]))
                                   if hashes.get(k) != package["pool_hashes"].get(k)))
    checks.append("pools match their hashes")
    if package["pools"].get("joint"):
        joined = "、".join(f"{part['name']} ({part['bureau']})" for part in package["pools"]["joint"])
        combined(package["pools"])
        checks.append(f"joint draw: the pools of {joined} are hashed separately; every code occurs once")
    if package["algorithm"] == V2:
        calendar = package["pools"]["calendar"]
        days = calendar["workdays"]
        if days != sorted(set(days)) or any(not calendar["from"] <= d <= calendar["to"] for d in days):
            raise Mismatch("the frozen calendar is not a sorted list of days inside the period")
    for attempt in package["attempts"]:
        if sha256(attempt["nonce"]) != attempt["nonce_hash"]:
            raise Mismatch(f"failed attempt {attempt['number']}: nonce does not match its commitment")
        seed = derive_seed(package["pool_hashes"], attempt["nonce"], attempt["entropy"], package["algorithm"])
        if seed != attempt["seed"]:
            raise Mismatch(f"failed attempt {attempt['number']}: seed does not follow")
        try:
            run(package, seed)
        except Impossible:
            checks.append(f"failed attempt {attempt['number']} fails again with its seed")
            continue
        raise Mismatch(f"failed attempt {attempt['number']}: the draw succeeds with that seed")
    if package["result"] is None:
        checks.append("no result recorded (the draw has only failed attempts)")
        return checks
    if sha256(package["nonce"]) != package["nonce_hash"]:
        raise Mismatch("nonce does not match the commitment published before the draw")
    checks.append("nonce matches its commitment")
    seed = derive_seed(package["pool_hashes"], package["nonce"], package["entropy"], package["algorithm"])
    if seed != package["seed"]:
        raise Mismatch("seed does not follow from pools, nonce and witness entropy")
    checks.append("seed follows from pools, nonce and witness entropy")
    try:
        result, schedule = run(package, seed)
    except Impossible as exc:
        raise Mismatch(f"the re-run fails ({exc}) but the package has a result") from exc
    for stage in ("selected", "tiers", "experts", "teams", "eligible", "selected_count"):
        if result.get(stage) != package["result"].get(stage):
            raise Mismatch(f"result differs in '{stage}'")
    if result != package["result"]:
        raise Mismatch("result differs")
    checks.append("stages (a) objects, (b) officers, (c) experts reproduce exactly")
    if schedule != package["schedule"]:
        raise Mismatch("schedule does not follow from the result and the frozen calendar")
    if package["algorithm"] == V2:
        days = set(package["pools"]["calendar"]["workdays"])
        seen = set()
        for row in package["schedule"]:
            if row["date"] not in days:
                raise Mismatch(f"{row['object']} is scheduled on {row['date']}, not a working day")
            for person in row["officers"] + row["experts"]:
                if (person, row["date"]) in seen:
                    raise Mismatch(f"{person} has two inspections on {row['date']}")
                seen.add((person, row["date"]))
        checks.append("schedule reproduces: working days of the frozen calendar, nobody twice on one day")
    if record_hash(package) != package["record_hash"]:
        raise Mismatch("record hash differs: the package was changed")
    checks.append("record hash matches")
    return checks


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    status = 0
    for path in argv:
        try:
            with open(path, encoding="utf-8") as handle:
                package = json.load(handle)
        except (OSError, ValueError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            return 2
        try:
            checks = verify(package)
        except (Mismatch, KeyError, TypeError, ValueError) as exc:
            kind = "missing field" if isinstance(exc, KeyError) else "DIFFERENT"
            print(f"{path}: {kind}: {exc}", file=sys.stderr)
            status = 1
            continue
        for check in checks:
            print(f"{path}: ok  {check}")
        print(f"{path}: draw {package.get('draw')} ({package.get('year')}) verified")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
