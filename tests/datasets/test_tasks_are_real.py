"""Each kind is a real task: baseline >> random, perfect >> baseline, and models can learn more.

Scores come from the platform's own scorer (`submissions.scoring.score_file`), on the private
split, which decides the final ranking.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.preprocessing import StandardScaler

from challenges.datasets import KINDS
from challenges.datasets import hotspot as hotspot_module
from challenges.datasets.common import csv_bytes, fmt_float, fmt_int
from submissions.scoring import score_file
from tests.datasets.helpers import column, dataset, primary, read_csv

SEEDS = (1, 2, 3)
# How far the baseline must beat the best of five random submissions, per kind (private primary).
BASELINE_MARGIN = {"detection": 0.08, "hotspot": 0.15, "network": 0.25}


def score(kind: str, seed: int, submission: bytes) -> dict:
    data = dataset(kind, seed)
    return score_file(kind, io.BytesIO(data.truth), io.BytesIO(submission), params=data.params)


def random_submission(kind: str, seed: int, rng: np.random.Generator) -> bytes:
    header, rows = read_csv(dataset(kind, seed).public_files["sample_submission.csv"])
    ids = [row[0] for row in rows]
    scores = fmt_float(rng.random(len(ids)), 6)
    if kind == "network":
        communities = np.where(rng.random(len(ids)) < 0.1, rng.integers(1, 30, len(ids)), 0)
        return csv_bytes(header, [ids, fmt_int(communities), scores])
    return csv_bytes(header, [ids, scores])


def perfect_submission(kind: str, seed: int) -> bytes:
    header, truth = read_csv(dataset(kind, seed).truth)
    if kind == "detection":
        return csv_bytes(["record_id", "score"], [column(header, truth, "record_id"), column(header, truth, "label")])
    if kind == "hotspot":
        private = [row for row in truth if row[1] == "private"]
        return csv_bytes(["cell_id", "score"], [[row[0] for row in private], [row[2] for row in private]])
    key = ["1" if role in ("controller", "broker") else "0" for role in column(header, truth, "role")]
    return csv_bytes(
        ["node_id", "community_id", "score"], [column(header, truth, "node_id"), column(header, truth, "ring_id"), key]
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_baseline_clearly_beats_random_and_stays_well_below_perfect(kind, seed):
    rng = np.random.default_rng(seed)
    best_random = max(primary(kind, score(kind, seed, random_submission(kind, seed, rng))) for _ in range(5))
    baseline = primary(kind, score(kind, seed, dataset(kind, seed).public_files["baseline_submission.csv"]))
    perfect = primary(kind, score(kind, seed, perfect_submission(kind, seed)))
    assert baseline > best_random + BASELINE_MARGIN[kind]
    assert perfect > baseline + 0.3
    assert perfect == pytest.approx(1.0)


@pytest.mark.parametrize("kind", KINDS)
def test_the_sample_submission_is_valid_and_scores_like_chance(kind):
    result = score(kind, 1, dataset(kind, 1).public_files["sample_submission.csv"])
    baseline = primary(kind, score(kind, 1, dataset(kind, 1).public_files["baseline_submission.csv"]))
    assert primary(kind, result) < baseline
    assert set(result) == {"public", "private"}


# Detection: a model trained on train.csv beats the baseline, and needs the interaction. ----------


def load_detection(seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """(train features, train labels, private test features, private test labels) as float arrays."""
    data = dataset("detection", seed)
    train_header, train = read_csv(data.public_files["train.csv"])
    test_header, test = read_csv(data.public_files["records.csv"])
    truth_header, truth = read_csv(data.truth)
    private = np.array(column(truth_header, truth, "split")) == "private"
    numeric = [name for name in test_header if name not in ("record_id", "income_source")]

    def features(header: list[str], rows: list[list[str]], mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
        out = {name: np.array([float(v) for v in column(header, rows, name)]) for name in numeric}
        return out if mask is None else {name: values[mask] for name, values in out.items()}

    y_train = np.array([int(v) for v in column(train_header, train, "label")])
    y_test = np.array([int(v) for v in column(truth_header, truth, "label")])[private]
    return features(train_header, train), y_train, features(test_header, test, private), y_test


def design(features: dict[str, np.ndarray], names: list[str], pairs: list[tuple[str, str]]) -> np.ndarray:
    """log1p of each feature, plus the product of each pair of (logged) features."""
    logged = {name: np.log1p(features[name]) for name in names}
    return np.column_stack([logged[name] for name in names] + [logged[a] * logged[b] for a, b in pairs])


def fit_and_rank(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> float:
    scaler = StandardScaler().fit(x_train)
    model = LogisticRegression(max_iter=2000).fit(scaler.transform(x_train), y_train)
    return average_precision_score(y_test, model.decision_function(scaler.transform(x_test)))


NIGHT_ADS = ("adplatform_payments_90d", "night_txn_share")
LOCAL_LODGING = ("lodging_nights_90d", "lodging_local_share")


@pytest.mark.parametrize("seed", (1, 3))
def test_night_ads_only_show_as_an_interaction(seed):
    """Ad payments and night activity each mislead (sellers, shift workers); their product does not."""
    train, y_train, test, y_test = load_detection(seed)
    names = list(NIGHT_ADS)
    without = fit_and_rank(design(train, names, []), y_train, design(test, names, []), y_test)
    with_product = fit_and_rank(design(train, names, [NIGHT_ADS]), y_train, design(test, names, [NIGHT_ADS]), y_test)
    assert with_product > 1.5 * without


def test_a_model_with_interactions_beats_one_without_and_the_baseline():
    seed = 3
    train, y_train, test, y_test = load_detection(seed)
    names = sorted(train)
    additive = fit_and_rank(design(train, names, []), y_train, design(test, names, []), y_test)
    pairs = [NIGHT_ADS, LOCAL_LODGING]
    interacting = fit_and_rank(design(train, names, pairs), y_train, design(test, names, pairs), y_test)
    baseline = primary(
        "detection", score("detection", seed, dataset("detection", seed).public_files["baseline_submission.csv"])
    )
    assert interacting > additive + 0.03
    assert interacting > baseline + 0.2


# Hotspot: knowing the true intensity beats the baseline, so there is something to learn. ---------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_true_intensity_forecasts_better_than_the_baseline(seed):
    _city, _counts, expected, _spots, _rng = hotspot_module.simulate_city(seed, "small")
    data = dataset("hotspot", seed)
    weeks = data.meta["history_weeks"]
    header, cells = read_csv(data.public_files["cells.csv"])
    rows = np.array([int(v) for v in column(header, cells, "row")])
    cols = np.array([int(v) for v in column(header, cells, "col")])
    oracle = expected[weeks + 1 :].sum(axis=0)[rows, cols]
    submission = csv_bytes(["cell_id", "score"], [column(header, cells, "cell_id"), fmt_float(oracle, 6)])
    baseline = primary("hotspot", score("hotspot", seed, data.public_files["baseline_submission.csv"]))
    assert primary("hotspot", score("hotspot", seed, submission)) > baseline + 0.05
