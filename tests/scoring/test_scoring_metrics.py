"""The metric code against scikit-learn and against hand-worked cases of the spec's definitions."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from sklearn.metrics import (
    adjusted_rand_score,
    average_precision_score,
    normalized_mutual_info_score,
    roc_auc_score,
)

from submissions.scoring import score_file
from submissions.scoring.hotspot import cells_flagged, percent_label
from submissions.scoring.metrics import (
    adjusted_rand_index,
    average_precision,
    f1_binary,
    normalized_mutual_info,
    r_precision,
    ranking_metrics,
    roc_auc,
    sum_of_largest,
    top_k_credit,
)

from .helpers import CASES, csv_bytes

SEEDS = range(40)


def random_ranking(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and scores with many ties (scores on a coarse grid) and varying class balance."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    y = rng.random(n) < rng.uniform(0.02, 0.6)
    y[rng.integers(n)] = True
    y[rng.integers(n)] = False if y.sum() > 1 else y[rng.integers(n)]
    grid = rng.choice([1, 2, 5, 20, 1000])
    scores = np.round(rng.normal(size=n) + y * rng.uniform(0, 2), 0) / grid if grid < 1000 else rng.normal(size=n)
    return y, scores


@pytest.mark.parametrize("seed", SEEDS)
def test_average_precision_matches_scikit_learn_with_ties(seed: int) -> None:
    y, scores = random_ranking(seed)
    assert average_precision(y, scores) == pytest.approx(average_precision_score(y, scores), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_roc_auc_matches_scikit_learn_with_ties(seed: int) -> None:
    y, scores = random_ranking(seed)
    if y.all() or not y.any():
        assert roc_auc(y, scores) is None
    else:
        assert roc_auc(y, scores) == pytest.approx(roc_auc_score(y, scores), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_ranking_metrics_agree_with_the_single_metric_functions(seed: int) -> None:
    y, scores = random_ranking(seed)
    combined = ranking_metrics(y, scores)
    assert combined == {
        "average_precision": average_precision(y, scores),
        "roc_auc": roc_auc(y, scores),
        "r_precision": r_precision(y, scores),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_r_precision_is_the_mean_precision_over_every_tie_breaking_order(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    n = int(rng.integers(2, 8))
    y = rng.random(n) < 0.5
    y[0] = True
    scores = rng.integers(0, 3, size=n).astype(float)
    k = int(y.sum())
    precisions = []
    for order in itertools.permutations(range(n)):
        ranked = scores[list(order)]
        if np.all(ranked[:-1] >= ranked[1:]):  # one way of breaking the ties
            precisions.append(Fraction(int(y[list(order)][:k].sum()), k))
    assert r_precision(y, scores) == float(sum(precisions) / len(precisions))


def test_metrics_are_none_where_undefined() -> None:
    negatives = np.zeros(5, dtype=bool)
    assert average_precision(negatives, np.arange(5.0)) is None
    assert roc_auc(negatives, np.arange(5.0)) is None
    assert roc_auc(~negatives, np.arange(5.0)) is None
    assert r_precision(negatives, np.arange(5.0)) is None
    assert f1_binary(negatives, negatives) is None


def test_fractional_credit_shares_the_remaining_slots_among_tied_items() -> None:
    values = np.array([5, 1, 0, 2, 7])
    scores = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    # k = 2: the 0.9 item is in; one slot remains for three items tied at 0.5 holding 1 + 0 + 2.
    assert top_k_credit(values, scores, 2) == 5 + Fraction(3, 3)
    assert top_k_credit(values, scores, 3) == 5 + Fraction(3 * 2, 3)
    assert top_k_credit(values, scores, 5) == 15
    assert sum_of_largest(values, 2) == 12


def test_negative_zero_ties_with_zero() -> None:
    y = np.array([True, False])
    assert roc_auc(y, np.array([-0.0, 0.0])) == 0.5
    assert r_precision(y, np.array([-0.0, 0.0])) == 0.5


def label_pairs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(2, 300))
    true = rng.integers(1, int(rng.integers(2, 12)), size=n)
    pred = np.where(rng.random(n) < rng.uniform(0, 1), true * 7919, rng.integers(0, int(rng.integers(1, 15)), size=n))
    return true, pred


@pytest.mark.parametrize("seed", SEEDS)
def test_adjusted_rand_index_matches_scikit_learn(seed: int) -> None:
    true, pred = label_pairs(seed)
    assert adjusted_rand_index(true, pred) == pytest.approx(adjusted_rand_score(true, pred), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_normalized_mutual_info_matches_scikit_learn(seed: int) -> None:
    true, pred = label_pairs(seed)
    expected = normalized_mutual_info_score(true, pred, average_method="arithmetic")
    assert normalized_mutual_info(true, pred) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("true", "pred"),
    [
        ([1, 1, 1], [5, 5, 5]),
        ([1, 1, 2], [0, 0, 0]),
        ([1, 2, 3], [1, 2, 3]),
        ([1, 1, 2, 2], [1, 2, 1, 2]),
        ([4, 4], [0, 9]),
    ],
)
def test_clustering_scores_match_scikit_learn_in_limit_cases(true: list[int], pred: list[int]) -> None:
    assert adjusted_rand_index(np.array(true), np.array(pred)) == pytest.approx(adjusted_rand_score(true, pred))
    assert normalized_mutual_info(np.array(true), np.array(pred)) == pytest.approx(
        normalized_mutual_info_score(true, pred)
    )


def test_f1_counts_any_non_zero_community_as_involved() -> None:
    actual = np.array([True, True, False, False])
    predicted = np.array([True, False, True, False])
    assert f1_binary(actual, predicted) == 0.5


@pytest.mark.parametrize(
    ("fraction", "label"), [(0.01, "1%"), (0.02, "2%"), (0.1, "10%"), (0.005, "0.5%"), (0.25, "25%"), (1, "100%")]
)
def test_percent_labels_have_no_trailing_zeros(fraction: float, label: str) -> None:
    assert percent_label(fraction) == label


def test_the_number_of_flagged_cells_rounds_half_to_even_and_is_at_least_one() -> None:
    assert cells_flagged(0.05, 50) == 2  # 2.5 -> 2
    assert cells_flagged(0.05, 70) == 4  # 3.5 -> 4
    assert cells_flagged(0.01, 10) == 1  # 0.1 -> 0 -> at least 1


def test_hotspot_metrics_follow_the_definitions_on_a_small_grid() -> None:
    # 10 cells; k = 1 at 10%; the top score is shared by two cells holding 4 and 0 incidents.
    truth = csv_bytes("cell_id,split,count", [f"c{i},public,{c}" for i, c in enumerate([4, 0, 3, 0, 0, 0, 1, 0, 0, 2])])
    scores = [9, 9, 1, 0, 0, 0, 0, 0, 0, 0]
    submission = csv_bytes("cell_id,score", [f"c{i},{s}" for i, s in enumerate(scores)])
    result = score_file("hotspot", truth, submission, params={"fractions": [0.1, 0.2]})
    public = result["public"]
    assert public["hit_rate@10%"] == pytest.approx(2 / 10)  # credit 4 * 1/2 of 10 incidents
    assert public["pai@10%"] == pytest.approx((2 / 10) / (1 / 10))
    assert public["pei_star@10%"] == pytest.approx(2 / 4)
    assert public["hit_rate@20%"] == pytest.approx(4 / 10)
    assert public["pei_star@20%"] == pytest.approx(4 / 7)
    assert public["mean_pei_star"] == pytest.approx((2 / 4 + 4 / 7) / 2)
    assert all(v is None for v in result["private"].values())


def test_results_do_not_depend_on_the_order_of_the_rows() -> None:
    case = next(c for c in CASES if c.name == "network-1")
    truth = (case / "truth.csv").read_bytes().decode().splitlines()
    sub = (case / "submission.csv").read_bytes().decode().splitlines()
    rng = np.random.default_rng(7)
    first = score_file("network", csv_bytes(truth[0], truth[1:]), csv_bytes(sub[0], sub[1:]))
    shuffled_truth = [truth[1:][i] for i in rng.permutation(len(truth) - 1)]
    shuffled_sub = [sub[1:][i] for i in rng.permutation(len(sub) - 1)]
    second = score_file("network", csv_bytes(truth[0], shuffled_truth), csv_bytes(sub[0], shuffled_sub))
    for split in first:
        for name in first[split]:
            assert second[split][name] == pytest.approx(first[split][name], rel=1e-13)
    assert score_file("network", csv_bytes(truth[0], truth[1:]), csv_bytes(sub[0], sub[1:])) == first
