"""Balanced assignment of judges to entries (judging.md, "Assignment"). Plain Python, no ORM.

The guarantees, each tested property-based in tests/judging/test_assignment.py:

1. every entry gets `judges_per_entry` distinct judges, or all its eligible judges when fewer exist;
2. no judge ever gets an entry they are in conflict with (own team, declared team or country: the caller
   passes the pairs);
3. loads (entries per judge) differ by at most 1 whenever some assignment meeting 1 and 2 allows it;
   otherwise the result says so (`balanced` is False) and the page warns;
4. the same inputs and `seed` give the same assignment (inputs are sorted first; ties are broken by a
   `random.Random(seed)` order);
5. `keep` (the previous assignment) is kept pair by pair wherever it is still valid: after a judge leaves,
   only that judge's entries get new judges.

How: a fresh run fills each entry's slots, most constrained entry first, with the least-loaded eligible
judge; then, while some judge carries at least 2 more entries than another, it moves one entry along an
alternating path (judge A hands entry e to judge B, who hands entry f to judge C, ...) found by breadth-first
search. Moving one unit from a judge with load a to one with load b <= a - 2 lowers the sum of squared
loads, and the separable-convex flow argument says that when no such path exists the loads are as even as
the conflicts allow (the most balanced load vector of the polymatroid of feasible assignments), so the
search is complete: if a balanced assignment exists, it is found. Only pairs made in this run move
(`keep` pairs never do).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

Judge = Hashable
Entry = Hashable


@dataclass
class AssignmentResult:
    # entry -> its judges, in a stable order
    assignments: dict[Entry, list[Judge]]
    # entry -> how many judges it lacks (not enough eligible judges)
    shortfalls: dict[Entry, int] = field(default_factory=dict)
    balanced: bool = True

    def loads(self, judges: Iterable[Judge]) -> dict[Judge, int]:
        loads = dict.fromkeys(judges, 0)
        for judges_of_entry in self.assignments.values():
            for judge in judges_of_entry:
                loads[judge] += 1
        return loads

    def pairs(self) -> set[tuple[Entry, Judge]]:
        return {(entry, judge) for entry, judges in self.assignments.items() for judge in judges}


def _sorted(items: Iterable) -> list:
    items = list(dict.fromkeys(items))
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


def assign(
    *,
    entries: Iterable[Entry],
    judges: Iterable[Judge],
    conflicts: Iterable[tuple[Judge, Entry]] = (),
    judges_per_entry: int = 3,
    seed: int = 0,
    keep: dict[Entry, Iterable[Judge]] | None = None,
) -> AssignmentResult:
    """Assign judges to entries (see the module's docstring for the guarantees and the method)."""
    entries = _sorted(entries)
    judges = _sorted(judges)
    conflicted = set(conflicts)
    rng = random.Random(seed)
    judge_order = judges[:]
    rng.shuffle(judge_order)
    tiebreak = {judge: i for i, judge in enumerate(judge_order)}
    judge_set = set(judges)

    eligible = {e: [j for j in judges if (j, e) not in conflicted] for e in entries}
    wanted = {e: min(judges_per_entry, len(eligible[e])) for e in entries}
    on: dict[Entry, list[Judge]] = {e: [] for e in entries}
    fixed: set[tuple[Entry, Judge]] = set()
    loads = dict.fromkeys(judges, 0)

    # 1. Keep what is still valid: present judge, present entry, no conflict, within the entry's slots.
    for entry in entries:
        for judge in _sorted((keep or {}).get(entry, ())):
            valid = judge in judge_set and (judge, entry) not in conflicted and judge not in on[entry]
            if valid and len(on[entry]) < wanted[entry]:
                on[entry].append(judge)
                fixed.add((entry, judge))
                loads[judge] += 1

    # 2. Fill the open slots, most constrained entry first, each with the least-loaded eligible judge.
    entry_order = entries[:]
    rng.shuffle(entry_order)
    entry_order.sort(key=lambda e: len(eligible[e]))
    for _round in range(judges_per_entry):
        for entry in entry_order:
            if len(on[entry]) >= wanted[entry]:
                continue
            candidates = [j for j in eligible[entry] if j not in on[entry]]
            judge = min(candidates, key=lambda j: (loads[j], tiebreak[j]))
            on[entry].append(judge)
            loads[judge] += 1

    # 3. Even the loads out along alternating paths of pairs made in this run.
    while _improve(on, eligible, loads, fixed, tiebreak):
        pass

    assignments = {e: sorted(on[e], key=lambda j: tiebreak[j]) for e in entries}
    shortfalls = {e: judges_per_entry - len(on[e]) for e in entries if len(on[e]) < judges_per_entry}
    values = list(loads.values())
    balanced = not values or max(values) - min(values) <= 1
    return AssignmentResult(assignments=assignments, shortfalls=shortfalls, balanced=balanced)


def _improve(on, eligible, loads, fixed, tiebreak) -> bool:
    """Move one entry-slot from a judge with load a to one with load <= a - 2, along the shortest
    alternating path; True if a move was made."""
    by_judge: dict[Judge, list[Entry]] = {j: [] for j in loads}
    for entry, judges_of_entry in on.items():
        for judge in judges_of_entry:
            if (entry, judge) not in fixed:
                by_judge[judge].append(entry)
    for source in sorted(loads, key=lambda j: (-loads[j], tiebreak[j])):
        if loads[source] - min(loads.values()) < 2:
            return False
        # BFS over judges: from judge X, an entry e that X holds (movable) can go to judge Y eligible for e
        # and not already on e.
        parent: dict[Judge, tuple[Judge, Entry] | None] = {source: None}
        queue = deque([source])
        target = None
        while queue and target is None:
            judge = queue.popleft()
            for entry in by_judge[judge]:
                for other in sorted(eligible[entry], key=lambda j: tiebreak[j]):
                    if other in parent or other in on[entry]:
                        continue
                    parent[other] = (judge, entry)
                    if loads[other] <= loads[source] - 2:
                        target = other
                        break
                    queue.append(other)
                if target is not None:
                    break
        if target is None:
            continue
        # Walk back: each step hands `entry` from the previous judge to the next one.
        node = target
        while parent[node] is not None:
            previous, entry = parent[node]
            on[entry][on[entry].index(previous)] = node
            node = previous
        loads[source] -= 1
        loads[target] += 1
        return True
    return False
