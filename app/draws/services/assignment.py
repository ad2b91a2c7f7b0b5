"""Conflict-free assignment with quotas differing by at most one, as a maximum flow (algorithm v2).

Objects each need `demand` distinct people; with S slots (objects × demand) and m people every person takes
q = S // m or q + 1 slots, exactly r = S % m of them q + 1. The flow network is
source → object (demand) → person (1, when allowed and not already in that team) → sink (q)
plus person → bonus (1) → sink (r). A flow of S is exactly such an assignment. Starting from the seeded deal
(slot i goes to person i mod m, blocked pairs removed), breadth-first augmenting paths in a fixed scan order
complete it; when no augmenting path is left the set of objects reachable from the source, with the people
reachable from them, is a minimum cut: the proof that no assignment exists. Pure and deterministic; the
stand-alone verifier (tools/verify_draw.py) implements the same steps from docs/draw-specification.md.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class Infeasible(Exception):
    """No assignment exists: these objects need `needed` slots and can get at most `capacity`."""

    objects: list[str]
    people: list[str]
    needed: int
    capacity: int


@dataclass
class Assignment:
    """The result: object → people (in the order they joined), per-person loads, repairs made."""

    teams: dict[str, list[str]]
    loads: dict[str, int]
    removed: list[list[str]] = field(default_factory=list)
    augmentations: int = 0


def assign(objects: list[str], people: list[str], demand: int, blocked: set[tuple[str, str]]) -> Assignment:
    """Assign `demand` people to every object (objects and people in their seeded order); `blocked` holds
    (person, object) pairs that must not meet. Raises Infeasible with a minimum cut when impossible."""
    slots = len(objects) * demand
    m = len(people)
    if m == 0:
        raise Infeasible(list(objects), [], slots, 0)
    q, r = divmod(slots, m)
    teams: dict[str, list[str]] = {o: [] for o in objects}
    held: dict[str, list[str]] = {p: [] for p in people}
    removed: list[list[str]] = []
    index = 0
    for obj in objects:
        for _ in range(demand):
            person = people[index % m]
            index += 1
            if (person, obj) in blocked or person in teams[obj]:
                removed.append([obj, person])
                continue
            teams[obj].append(person)
            held[person].append(obj)
    state = _State(objects, people, demand, blocked, teams, held, q, r)
    augmentations = 0
    for obj in objects:
        while len(teams[obj]) < demand:
            if not state.augment([obj]):
                short = [o for o in objects if len(teams[o]) < demand]
                if state.augment(short):
                    augmentations += 1
                    continue
                raise state.proof(short)
            augmentations += 1
    return Assignment(teams, {p: len(held[p]) for p in people}, removed, augmentations)


class _State:
    """The residual network over the current assignment."""

    def __init__(self, objects: list[str], people: list[str], demand: int, blocked: set[tuple[str, str]],
                 teams: dict[str, list[str]], held: dict[str, list[str]], q: int, r: int) -> None:
        self.objects, self.people, self.demand, self.blocked = objects, people, demand, blocked
        self.teams, self.held, self.q, self.r = teams, held, q, r

    def _bonus_used(self) -> int:
        return sum(1 for p in self.people if len(self.held[p]) > self.q)

    def _search(self, starts: list[str]) -> tuple[dict[tuple[str, str], tuple[str, str] | None],
                                                  tuple[str, str] | None]:
        """Breadth-first search from `starts`; returns (parents, the node that reached the sink or None)."""
        parent: dict[tuple[str, str], tuple[str, str] | None] = {("o", o): None for o in starts}
        queue = deque(("o", o) for o in starts)
        bonus_free = self._bonus_used() < self.r
        while queue:
            node = queue.popleft()
            kind, name = node
            if kind == "o":
                for person in self.people:
                    nxt = ("p", person)
                    if nxt in parent or (person, name) in self.blocked or person in self.teams[name]:
                        continue
                    parent[nxt] = node
                    load = len(self.held[person])
                    if load < self.q or (load == self.q and bonus_free):
                        return parent, nxt
                    queue.append(nxt)
            elif kind == "p":
                if len(self.held[name]) == self.q and ("b", "") not in parent:
                    parent[("b", "")] = node
                    queue.append(("b", ""))
                for obj in self.held[name]:
                    nxt = ("o", obj)
                    if nxt not in parent:
                        parent[nxt] = node
                        queue.append(nxt)
            else:  # the bonus node: people holding q + 1 may give their extra slot up
                for person in self.people:
                    nxt = ("p", person)
                    if nxt not in parent and len(self.held[person]) > self.q:
                        parent[nxt] = node
                        queue.append(nxt)
        return parent, None

    def augment(self, starts: list[str]) -> bool:
        """Find one augmenting path from the objects `starts` and apply it."""
        parent, end = self._search(starts)
        if end is None:
            return False
        path = [end]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])  # type: ignore[arg-type]
        path.reverse()
        for a, b in zip(path, path[1:], strict=False):
            if a[0] == "o" and b[0] == "p":  # the object takes the person
                self.teams[a[1]].append(b[1])
                self.held[b[1]].append(a[1])
            elif a[0] == "p" and b[0] == "o":  # the person gives the object up
                self.teams[b[1]].remove(a[1])
                self.held[a[1]].remove(b[1])
        return True

    def proof(self, starts: list[str]) -> Infeasible:
        """The minimum cut: objects reachable from the source and what they can get at most."""
        parent, _ = self._search(starts)
        reached = [o for o in self.objects if ("o", o) in parent]
        people = [p for p in self.people if ("p", p) in parent]
        people_set = set(people)
        capacity = self.q * len(people) + (min(len(people), self.r) if ("b", "") in parent else 0)
        if ("b", "") not in parent:
            capacity += sum(1 for p in people if len(self.held[p]) > self.q)
        outside = sum(1 for o in reached for p in self.teams[o] if p not in people_set)
        capacity += outside
        return Infeasible(reached, people, self.demand * len(reached), capacity)
