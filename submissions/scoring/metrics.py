"""Metric definitions shared by the scorers, exactly as scoring.md states them.

Ranking metrics sort the positive and negative scores once and count with binary searches, which
handles ties by construction (a tie group is one threshold). Counts are kept as integers for as
long as possible so that results do not depend on the order rows arrive in.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np


def _split_sorted(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=bool)
    scores = np.asarray(scores, dtype=np.float64)
    return np.sort(scores[y]), np.sort(scores[~y])


def _distinct(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of an ascending array and how many times each occurs."""
    if not len(sorted_values):
        return sorted_values, np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
    counts = np.diff(np.append(starts, len(sorted_values)))
    return sorted_values[starts], counts


def average_precision(y: np.ndarray, scores: np.ndarray) -> float | None:
    """Step-wise AP, sum_n (R_n - R_{n-1}) P_n over distinct thresholds (scikit-learn's definition); None if no positive."""
    return _average_precision(*_split_sorted(y, scores))


def roc_auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve, ties counting 1/2 (scikit-learn's value); None if the split has one class."""
    return _roc_auc(*_split_sorted(y, scores))


def ranking_metrics(y: np.ndarray, scores: np.ndarray) -> dict[str, float | None]:
    """AP, ROC-AUC and R-precision from a single sort of each class's scores."""
    pos, neg = _split_sorted(y, scores)
    return {
        "average_precision": _average_precision(pos, neg),
        "roc_auc": _roc_auc(pos, neg),
        "r_precision": _r_precision(pos, neg, np.asarray(scores, dtype=np.float64)),
    }


def _average_precision(pos: np.ndarray, neg: np.ndarray) -> float | None:
    """Recall only moves at thresholds equal to some positive's score, so for each distinct positive
    score v the recall step is (#positives == v) / P and the precision #pos >= v / #all >= v.
    """
    n_pos = len(pos)
    if n_pos == 0:
        return None
    values, counts = _distinct(pos)
    tps = n_pos - np.searchsorted(pos, values, side="left")
    fps = len(neg) - np.searchsorted(neg, values, side="left")
    return float(np.sum(counts * (tps / (tps + fps))) / n_pos)


def _roc_auc(pos: np.ndarray, neg: np.ndarray) -> float | None:
    """P(score of a positive > score of a negative) + P(tie) / 2, from an exact integer count of
    (positive, negative) pairs; it equals the trapezoidal area under the ROC curve.
    """
    if len(pos) == 0 or len(neg) == 0:
        return None
    values, counts = _distinct(pos)
    below = np.searchsorted(neg, values, side="left")
    below_or_tied = np.searchsorted(neg, values, side="right")
    twice_wins = int(np.sum(counts * (below + below_or_tied)))
    return twice_wins / (2 * len(pos) * len(neg))


def _r_precision(pos: np.ndarray, neg: np.ndarray, scores: np.ndarray) -> float | None:
    k = len(pos)
    if k == 0:
        return None
    n = len(scores)
    threshold = np.partition(scores, n - k)[n - k]
    pos_above = k - int(np.searchsorted(pos, threshold, side="right"))
    pos_tied = k - pos_above - int(np.searchsorted(pos, threshold, side="left"))
    neg_right = int(np.searchsorted(neg, threshold, side="right"))
    neg_above = len(neg) - neg_right
    neg_tied = neg_right - int(np.searchsorted(neg, threshold, side="left"))
    above, tied = pos_above + neg_above, pos_tied + neg_tied
    return float((pos_above + pos_tied * Fraction(k - above, tied)) / k)


def top_k_credit(values: np.ndarray, scores: np.ndarray, k: int) -> Fraction:
    """Sum of `values` over the top k items by score, items tied at the cut sharing the remaining slots.

    credit = sum(v: s > t) + sum(v: s == t) * (k - above) / tied, with t the k-th highest score.
    Exact (a Fraction) for integer values, so later ratios are rounded only once.
    """
    scores = np.asarray(scores, dtype=np.float64)
    n = len(scores)
    if k <= 0 or n == 0:
        return Fraction(0)
    k = min(k, n)
    threshold = np.partition(scores, n - k)[n - k]
    above = scores > threshold
    tied = scores == threshold
    n_above, n_tied = int(above.sum()), int(tied.sum())
    values = np.asarray(values)
    value_above = _exact_sum(values[above])
    value_tied = _exact_sum(values[tied])
    return value_above + value_tied * Fraction(k - n_above, n_tied)


def _exact_sum(values: np.ndarray) -> Fraction:
    if values.dtype.kind in "biu":
        return Fraction(int(values.sum(dtype=np.int64)))
    return Fraction(math.fsum(values.tolist()))


def r_precision(y: np.ndarray, scores: np.ndarray) -> float | None:
    """Precision at k = R (the number of positives) with fractional tie credit; None if R = 0."""
    pos, neg = _split_sorted(y, scores)
    return _r_precision(pos, neg, np.asarray(scores, dtype=np.float64))


def sum_of_largest(values: np.ndarray, k: int) -> int:
    """Sum of the k largest integer values (the best any choice of k items could capture)."""
    values = np.asarray(values, dtype=np.int64)
    k = min(k, len(values))
    if k <= 0:
        return 0
    return int(np.partition(values, len(values) - k)[len(values) - k :].sum())


def f1_binary(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """2TP / (2TP + FP + FN); None when there is neither an actual nor a predicted positive."""
    actual = np.asarray(actual, dtype=bool)
    predicted = np.asarray(predicted, dtype=bool)
    tp = int(np.count_nonzero(actual & predicted))
    fp = int(np.count_nonzero(~actual & predicted))
    fn = int(np.count_nonzero(actual & ~predicted))
    denominator = 2 * tp + fp + fn
    return None if denominator == 0 else 2 * tp / denominator


def _contingency(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Non-zero cells of the contingency table: row index, column index, count; and the margins."""
    _, codes_a = np.unique(a, return_inverse=True)
    _, codes_b = np.unique(b, return_inverse=True)
    codes_a = codes_a.ravel().astype(np.int64)
    codes_b = codes_b.ravel().astype(np.int64)
    width = int(codes_b.max()) + 1 if len(codes_b) else 1
    cells, counts = np.unique(codes_a * width + codes_b, return_counts=True)
    return cells // width, cells % width, counts.astype(np.int64), np.bincount(codes_a), np.bincount(codes_b)


def adjusted_rand_index(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """Adjusted Rand index from the pair confusion matrix, as scikit-learn computes it.

    Pair counts are Python integers: n^2-sized products overflow 64 bits for a few million nodes.
    """
    n = len(labels_true)
    if n == 0:
        return 1.0
    rows, cols, counts, n_true, n_pred = _contingency(labels_true, labels_pred)
    sum_squares = int(np.sum(counts * counts))
    tp = sum_squares - n
    fp = int(np.sum(counts * n_pred[cols])) - sum_squares
    fn = int(np.sum(counts * n_true[rows])) - sum_squares
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _entropy(counts: np.ndarray) -> float:
    counts = counts[counts > 0].astype(np.float64)
    if counts.size <= 1:
        return 0.0
    total = counts.sum()
    return float(-np.sum((counts / total) * (np.log(counts) - math.log(total))))


def normalized_mutual_info(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """NMI with arithmetic-mean normalisation, following scikit-learn step by step (incl. its limits)."""
    n = len(labels_true)
    rows, cols, counts, n_true, n_pred = _contingency(labels_true, labels_pred)
    if n == 0 or (len(n_true) == 1 and len(n_pred) == 1):
        # Neither labelling splits the data: a perfect match by convention.
        return 1.0
    if len(n_true) == 1 or len(n_pred) == 1:
        return 0.0
    nz = counts.astype(np.float64)
    p_nz = nz / n
    outer = n_true[rows].astype(np.int64) * n_pred[cols].astype(np.int64)
    log_outer = -np.log(outer) + math.log(n_true.sum()) + math.log(n_pred.sum())
    mi = p_nz * (np.log(nz) - math.log(n)) + p_nz * log_outer
    mi = np.where(np.abs(mi) < np.finfo(mi.dtype).eps, 0.0, mi)
    mutual_info = float(max(mi.sum(), 0.0))
    if mutual_info == 0:
        return 0.0
    normalizer = (_entropy(n_true) + _entropy(n_pred)) / 2
    return float(mutual_info / normalizer)


def mean_or_none(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
