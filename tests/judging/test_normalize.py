"""z-score normalization and ranking against cases computed by hand from judging.md; the blend; agreement."""

from __future__ import annotations

import math
import random

import pytest
from scipy.stats import kendalltau

from judging.normalize import Card, agreement, blend, kendall_tau, normalize, rank_score

R2 = math.sqrt(2)
WEIGHTS = {"c1": 2.0, "c2": 1.0}


def _by_entry(results):
    return {r.entry: r for r in results}


def test_it_matches_the_hand_computed_case():
    """J1 and J2 each score two entries; J3 one; E has no scorecard.

    J1/c1: 5, 3 -> mean 4, sd sqrt(2) -> z(A) = 1/sqrt(2), z(B) = -1/sqrt(2); J1/c2: 4, 4 -> sd 0 -> 1 -> z 0.
    J2/c1: 3, 1 -> z(A) = 1/sqrt(2), z(C) = -1/sqrt(2); J2/c2: 2, 2 -> z 0. J3 has one card -> sd 1 -> z 0.
    normalized(A) = (2 * 1/sqrt(2) + 0) / 3; B and C = -that; D = 0.
    raw(A) = (2 * 4 + 3) / 3; raw(B) = (2 * 3 + 4) / 3; raw(C) = (2 * 1 + 2) / 3; raw(D) = 5.
    """
    cards = [
        Card("A", "J1", {"c1": 5, "c2": 4}),
        Card("B", "J1", {"c1": 3, "c2": 4}),
        Card("A", "J2", {"c1": 3, "c2": 2}),
        Card("C", "J2", {"c1": 1, "c2": 2}),
        Card("D", "J3", {"c1": 5, "c2": 5}),
    ]
    entries = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 0}
    results = normalize(entries=entries, weights=WEIGHTS, cards=cards)
    got = _by_entry(results)
    assert got["A"].normalized == pytest.approx(2 / R2 / 3)
    assert got["B"].normalized == pytest.approx(-2 / R2 / 3)
    assert got["C"].normalized == pytest.approx(-2 / R2 / 3)
    assert got["D"].normalized == pytest.approx(0)
    assert got["A"].raw_mean == pytest.approx(11 / 3)
    assert got["B"].raw_mean == pytest.approx(10 / 3)
    assert got["C"].raw_mean == pytest.approx(4 / 3)
    assert got["D"].raw_mean == pytest.approx(5)
    assert [(r.entry, r.rank) for r in results] == [("A", 1), ("D", 2), ("B", 3), ("C", 4), ("E", None)]
    assert [r.n_scorecards for r in results] == [2, 1, 1, 1, 0]
    assert got["E"].normalized is None and got["E"].raw_mean is None


def test_a_lenient_and_a_harsh_judge_who_agree_move_entries_the_same_way():
    cards = [
        Card("X", "lenient", {"c1": 5, "c2": 5}),
        Card("Y", "lenient", {"c1": 4, "c2": 4}),
        Card("Z", "harsh", {"c1": 2, "c2": 2}),
        Card("W", "harsh", {"c1": 1, "c2": 1}),
    ]
    got = _by_entry(normalize(entries={"X": 0, "Y": 1, "Z": 2, "W": 3}, weights=WEIGHTS, cards=cards))
    assert got["X"].normalized == pytest.approx(got["Z"].normalized)
    assert got["Y"].normalized == pytest.approx(got["W"].normalized)
    # Raw means would have ranked both of the lenient judge's entries above the harsh judge's best.
    assert got["Y"].raw_mean > got["Z"].raw_mean
    assert got["Z"].rank < got["Y"].rank  # Z (normalized +0.707, raw 2) ties X on normalized; beats Y


def test_full_ties_go_to_the_earlier_entry():
    cards = [Card("late", "J", {"c1": 3, "c2": 3}), Card("early", "J", {"c1": 3, "c2": 3})]
    results = normalize(entries={"late": 10, "early": 5}, weights=WEIGHTS, cards=cards)
    assert [(r.entry, r.rank) for r in results] == [("early", 1), ("late", 2)]


def test_the_sample_standard_deviation_uses_n_minus_one():
    # One judge, one criterion: 1, 2, 3 -> mean 2, sd 1 (n - 1) -> z = -1, 0, 1 (n would give 0.816).
    cards = [Card(e, "J", {"c": v}) for e, v in (("a", 1), ("b", 2), ("c", 3))]
    got = _by_entry(normalize(entries={"a": 0, "b": 1, "c": 2}, weights={"c": 1.0}, cards=cards))
    assert [got[e].normalized for e in "abc"] == pytest.approx([-1.0, 0.0, 1.0])


def test_kendall_tau_agrees_with_scipy_tau_b():
    rng = random.Random(3)
    for _ in range(50):
        n = rng.randint(2, 12)
        a = [rng.randint(1, 5) for _ in range(n)]
        b = [rng.randint(1, 5) for _ in range(n)]
        expected = kendalltau(a, b).statistic
        got = kendall_tau(a, b)
        if math.isnan(expected):
            assert got is None
        else:
            assert got == pytest.approx(expected)
    assert kendall_tau([1, 2, 3], [3, 2, 1]) == -1


def test_rank_scores_and_the_blend_follow_the_documented_formula():
    assert rank_score(1, 3) == 1 and rank_score(2, 3) == 0.5 and rank_score(3, 3) == 0
    assert rank_score(None, 3) == 0 and rank_score(1, 1) == 1
    order = blend(
        judged_ranks={"e1": 1, "e2": 2, "e3": 3},
        board_ranks={"e1": 3, "e2": 1, "e3": 2},
        judged_weight=50,
        board_weight=50,
    )
    assert [(e, pytest.approx(s), r) for e, s, r in order] == [("e2", 0.75, 1), ("e1", 0.5, 2), ("e3", 0.25, 3)]
    judged_only = blend(
        judged_ranks={"e1": 1, "e2": 2}, board_ranks={"e1": 2, "e2": 1}, judged_weight=100, board_weight=0
    )
    assert [e for e, _s, _r in judged_only] == ["e1", "e2"]


def test_agreement_measures_leniency_spread_and_flags_a_judge_who_orders_against_the_jury():
    entries = {f"e{i}": i for i in range(4)}
    weights = {"c": 1.0}
    cards = []
    for judge in ("J1", "J2"):
        cards += [Card(f"e{i}", judge, {"c": 1 + i}) for i in range(4)]
    cards += [Card(f"e{i}", "contrarian", {"c": 5 - i}) for i in range(4)]
    results = normalize(entries=entries, weights=weights, cards=cards)
    rows = {a.judge: a for a in agreement(cards=cards, weights=weights, results=results)}
    assert rows["contrarian"].flagged and rows["contrarian"].tau == pytest.approx(-1)
    assert not rows["J1"].flagged and rows["J1"].tau == pytest.approx(1)
    # e_i's raw mean: (1 + i) * 2/3 + (5 - i)/3; J1's offset per entry: (1 + i) - that = (i - 1) / ... averaged
    expected = sum((1 + i) - ((2 * (1 + i) + (5 - i)) / 3) for i in range(4)) / 4
    assert rows["J1"].leniency == pytest.approx(expected)
    assert rows["J1"].spread == pytest.approx(math.sqrt(5 / 3))
