"""The assignment guarantees of judging.md, property-based over random judges, entries and conflicts."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from judging.assignment import assign

PROPERTY = settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def worlds(draw, max_entries: int = 14, max_judges: int = 7, conflict_rate: float | None = None):
    n_entries = draw(st.integers(0, max_entries))
    n_judges = draw(st.integers(1, max_judges))
    entries = [f"e{i}" for i in range(n_entries)]
    judges = [f"j{i}" for i in range(n_judges)]
    pairs = [(j, e) for j in judges for e in entries]
    if conflict_rate == 0:
        conflicts = set()
    else:
        conflicts = set(draw(st.lists(st.sampled_from(pairs), max_size=len(pairs) // 3)) if pairs else [])
    k = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**31))
    return entries, judges, conflicts, k, seed


def _eligible(entry, judges, conflicts):
    return [j for j in judges if (j, entry) not in conflicts]


@PROPERTY
@given(worlds())
def test_every_entry_gets_n_distinct_judges_or_all_its_eligible_ones_and_never_a_conflict(world):
    entries, judges, conflicts, k, seed = world
    result = assign(entries=entries, judges=judges, conflicts=conflicts, judges_per_entry=k, seed=seed)
    assert set(result.assignments) == set(entries)
    for entry, on in result.assignments.items():
        assert len(on) == len(set(on)), "the same judge twice on one entry"
        assert len(on) == min(k, len(_eligible(entry, judges, conflicts)))
        assert all((judge, entry) not in conflicts for judge in on)
        if len(on) < k:
            assert result.shortfalls[entry] == k - len(on)


@PROPERTY
@given(worlds(conflict_rate=0))
def test_without_conflicts_loads_differ_by_at_most_one(world):
    entries, judges, conflicts, k, seed = world
    result = assign(entries=entries, judges=judges, judges_per_entry=k, seed=seed)
    loads = result.loads(judges).values()
    assert max(loads) - min(loads) <= 1
    assert result.balanced


def _balanced_assignment_exists(entries, judges, conflicts, k) -> bool:
    """Brute force over every choice of judges per entry (small worlds only)."""
    options = [
        list(itertools.combinations(_eligible(e, judges, conflicts), min(k, len(_eligible(e, judges, conflicts)))))
        for e in entries
    ]
    for choice in itertools.product(*options):
        loads = dict.fromkeys(judges, 0)
        for group in choice:
            for judge in group:
                loads[judge] += 1
        if max(loads.values()) - min(loads.values()) <= 1:
            return True
    return False


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(worlds(max_entries=5, max_judges=4))
def test_loads_are_within_one_whenever_the_conflicts_allow_it(world):
    entries, judges, conflicts, k, seed = world
    k = min(k, 2)
    result = assign(entries=entries, judges=judges, conflicts=conflicts, judges_per_entry=k, seed=seed)
    loads = result.loads(judges).values()
    assert result.balanced == (max(loads) - min(loads) <= 1)
    assert result.balanced == _balanced_assignment_exists(entries, judges, conflicts, k)


@PROPERTY
@given(worlds())
def test_the_same_seed_gives_the_same_assignment_whatever_the_input_order(world):
    entries, judges, conflicts, k, seed = world
    first = assign(entries=entries, judges=judges, conflicts=conflicts, judges_per_entry=k, seed=seed)
    again = assign(
        entries=list(reversed(entries)),
        judges=list(reversed(judges)),
        conflicts=conflicts,
        judges_per_entry=k,
        seed=seed,
    )
    assert first.assignments == again.assignments


def test_different_seeds_give_different_assignments():
    entries = [f"e{i}" for i in range(20)]
    judges = [f"j{i}" for i in range(6)]
    results = {
        tuple(sorted((e, tuple(j)) for e, j in assign(entries=entries, judges=judges, seed=s).assignments.items()))
        for s in range(5)
    }
    assert len(results) > 1


@PROPERTY
@given(worlds(), st.data())
def test_after_a_judge_leaves_only_their_entries_move(world, data):
    entries, judges, conflicts, k, seed = world
    if len(judges) < 2:
        return
    before = assign(entries=entries, judges=judges, conflicts=conflicts, judges_per_entry=k, seed=seed)
    leaving = data.draw(st.sampled_from(judges))
    staying = [j for j in judges if j != leaving]
    after = assign(
        entries=entries,
        judges=staying,
        conflicts=conflicts,
        judges_per_entry=k,
        seed=seed,
        keep=before.assignments,
    )
    kept = {(e, j) for e, j in before.pairs() if j != leaving}
    assert kept <= after.pairs(), "a pair of a judge who stayed moved"
    moved_entries = {e for e, j in before.pairs() if j == leaving}
    for entry in set(entries) - moved_entries:
        assert set(after.assignments[entry]) == set(before.assignments[entry])
    for entry, on in after.assignments.items():
        assert len(on) == min(k, len(_eligible(entry, staying, conflicts)))
        assert all((judge, entry) not in conflicts for judge in on)


def test_leaving_judges_entries_are_spread_so_loads_stay_within_one():
    entries = [f"e{i}" for i in range(17)]
    judges = [f"j{i}" for i in range(5)]
    before = assign(entries=entries, judges=judges, judges_per_entry=3, seed=4)
    after = assign(entries=entries, judges=judges[1:], judges_per_entry=3, seed=4, keep=before.assignments)
    loads = after.loads(judges[1:]).values()
    assert max(loads) - min(loads) <= 1
    assert after.balanced


def test_a_country_wide_conflict_is_never_broken_even_when_loads_cannot_balance():
    entries = ["e1", "e2", "e3", "e4"]
    judges = ["j1", "j2"]
    conflicts = {("j1", e) for e in entries}  # j1 may judge nothing
    result = assign(entries=entries, judges=judges, conflicts=conflicts, judges_per_entry=2, seed=0)
    assert all(result.assignments[e] == ["j2"] for e in entries)
    assert result.shortfalls == dict.fromkeys(entries, 1)
    assert not result.balanced
