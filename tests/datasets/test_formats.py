"""Truth, inputs and submissions follow the scoring spec, and nothing leaks through ids or order."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from challenges.datasets import KINDS
from challenges.datasets.hotspot import cell_id, parse_cell_id
from tests.datasets.helpers import column, dataset, read_csv

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION_HEADER = {
    "detection": ["record_id", "score"],
    "hotspot": ["cell_id", "score"],
    "network": ["node_id", "community_id", "score"],
}
TRUTH_HEADER = {
    "detection": ["record_id", "label", "split"],
    "hotspot": ["cell_id", "split", "count"],
    "network": ["node_id", "ring_id", "role", "split"],
}
# Words that would name a demographic attribute, matched against whole words of column names.
DEMOGRAPHIC_WORDS = {"age", "sex", "gender", "nationality", "citizenship", "country", "ethnicity", "race", "religion"}


def test_the_package_imports_without_django():
    code = "import sys, challenges.datasets; assert not any(m.startswith('django') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("kind", KINDS)
def test_truth_and_submissions_have_the_spec_headers_and_every_id_once(kind):
    data = dataset(kind, 3)
    truth_header, truth = read_csv(data.truth)
    assert truth_header == TRUTH_HEADER[kind]
    assert set(column(truth_header, truth, "split")) == {"public", "private"}
    id_name = TRUTH_HEADER[kind][0]
    ids = column(truth_header, truth, id_name)
    expected = set(ids)
    for name in ("sample_submission.csv", "baseline_submission.csv"):
        header, rows = read_csv(data.public_files[name])
        assert header == SUBMISSION_HEADER[kind]
        sub_ids = column(header, rows, id_name)
        assert len(sub_ids) == len(set(sub_ids)) == len(expected) and set(sub_ids) == expected
        scores = np.array([float(v) for v in column(header, rows, "score")])
        assert np.all(np.isfinite(scores))
        if kind == "network":
            assert all(re.fullmatch(r"-?\d+", v) for v in column(header, rows, "community_id"))


@pytest.mark.parametrize("kind", KINDS)
def test_the_data_card_describes_task_files_metric_and_limits(kind):
    data = dataset(kind, 3)
    card = data.public_files["DATA_CARD.md"].decode("utf-8")
    metric = {"detection": "average_precision", "hotspot": "mean_pei_star", "network": "network_score"}[kind]
    assert metric in card
    for heading in ("## Task", "## Files", "## Submission", "## Metric", "## How the data was made", "## Baseline"):
        assert heading in card
    assert "## Ethical limits" in card and "synthetic" in card.lower()
    for name in data.public_files:
        if name != "DATA_CARD.md":
            assert f"`{name}`" in card, name


@pytest.mark.parametrize("kind", KINDS)
def test_no_input_column_names_a_demographic_attribute(kind):
    data = dataset(kind, 3)
    for name, blob in data.public_files.items():
        if name.endswith(".csv"):
            header, _ = read_csv(blob)
            for col in header:
                assert not set(col.lower().split("_")) & DEMOGRAPHIC_WORDS, (name, col)


# Detection ------------------------------------------------------------------------------------------


def test_detection_has_about_one_percent_positives_in_both_splits():
    data = dataset("detection", 3)
    header, truth = read_csv(data.truth)
    labels = np.array([int(v) for v in column(header, truth, "label")])
    split = np.array(column(header, truth, "split"))
    assert set(labels.tolist()) == {0, 1}
    assert 0.008 <= labels.mean() <= 0.012
    assert abs((split == "public").mean() - 0.3) < 0.01
    for part in ("public", "private"):
        assert 0.008 <= labels[split == part].mean() <= 0.012
    assert data.meta["n_records"] == len(labels) and data.meta["n_positive"] == labels.sum()


def test_detection_records_match_the_truth_ids_and_have_no_label():
    data = dataset("detection", 3)
    header, records = read_csv(data.public_files["records.csv"])
    _, truth = read_csv(data.truth)
    assert header[0] == "record_id" and "label" not in header and "split" not in header
    assert [row[0] for row in records] == [row[0] for row in truth]
    train_header, train = read_csv(data.public_files["train.csv"])
    assert train_header == [*header, "label"]
    assert not {row[0] for row in train} & {row[0] for row in truth}, "training ids are never scored"
    assert 0.008 <= np.mean([int(row[-1]) for row in train]) <= 0.012


def test_detection_ids_and_row_order_leak_nothing():
    _, truth = read_csv(dataset("detection", 3).truth)
    labels = np.array([int(row[1]) for row in truth])
    positions = np.flatnonzero(labels) / len(labels)
    # Positives are spread over the file: mean position near the middle, every tenth holds some.
    assert abs(positions.mean() - 0.5) < 0.08
    assert np.all(np.bincount((positions * 10).astype(int), minlength=10) > 0)


# Hotspot ---------------------------------------------------------------------------------------------


def test_cell_ids_round_trip():
    assert cell_id(12, 34) == "r012c034"
    assert parse_cell_id("r012c034") == (12, 34)
    assert parse_cell_id(cell_id(119, 7)) == (119, 7)
    for bad in ("r12c34", "c012r034", "r012c034 ", "x", ""):
        with pytest.raises(ValueError):
            parse_cell_id(bad)


def test_hotspot_truth_has_every_study_cell_once_per_split_with_integer_counts():
    data = dataset("hotspot", 3)
    header, truth = read_csv(data.truth)
    cells_header, cells = read_csv(data.public_files["cells.csv"])
    study = [row[0] for row in cells]
    assert len(study) == len(set(study)) == data.meta["n_cells"]
    for part in ("public", "private"):
        rows = [row for row in truth if row[1] == part]
        assert sorted(row[0] for row in rows) == sorted(study)
        assert all(re.fullmatch(r"\d+", row[2]) for row in rows)
        assert sum(int(row[2]) for row in rows) > 0
    assert data.params == {"fractions": [0.01, 0.02, 0.05, 0.10]}


def test_hotspot_cells_lie_on_the_grid_and_some_grid_cells_are_outside_the_city():
    data = dataset("hotspot", 3)
    rows_n, cols_n = data.meta["grid_rows"], data.meta["grid_cols"]
    assert (rows_n, cols_n) == (40, 40) and data.meta["city_name"]
    header, cells = read_csv(data.public_files["cells.csv"])
    for row in cells:
        r, c = parse_cell_id(row[0])
        assert (r, c) == (int(row[1]), int(row[2]))
        assert 0 <= r < rows_n and 0 <= c < cols_n
    assert 0.4 * rows_n * cols_n < len(cells) < rows_n * cols_n


def test_hotspot_history_covers_every_cell_every_week():
    data = dataset("hotspot", 3)
    header, history = read_csv(data.public_files["history.csv"])
    assert header == ["week", "cell_id", "count"]
    weeks = data.meta["history_weeks"]
    assert len(history) == weeks * data.meta["n_cells"]
    assert {int(row[0]) for row in history} == set(range(1, weeks + 1))
    assert all(re.fullmatch(r"\d+", row[2]) for row in history)
    assert sum(int(row[2]) for row in history) == data.meta["history_incidents"]
    assert data.meta["public_weeks"] == [weeks + 1] and data.meta["private_weeks"] == [weeks + 2, weeks + 3, weeks + 4]


# Network ---------------------------------------------------------------------------------------------


def test_network_truth_has_valid_roles_rings_and_splits():
    data = dataset("network", 3)
    header, truth = read_csv(data.truth)
    roles = column(header, truth, "role")
    rings = np.array([int(v) for v in column(header, truth, "ring_id")])
    split = np.array(column(header, truth, "split"))
    assert set(roles) == {"none", "member", "controller", "broker"}
    for ring, role in zip(rings.tolist(), roles, strict=True):
        assert (ring != 0) == (role in ("member", "controller"))
    assert set(rings[rings != 0].tolist()) == set(range(1, data.meta["n_rings"] + 1))
    assert abs((split == "public").mean() - 0.3) < 0.01
    key = np.isin(roles, ["controller", "broker"])
    for part in ("public", "private"):
        assert key[split == part].any() and (rings[split == part] != 0).any()


def test_network_edges_join_known_nodes_once():
    data = dataset("network", 3)
    _, nodes = read_csv(data.public_files["nodes.csv"])
    _, truth = read_csv(data.truth)
    node_ids = [row[0] for row in nodes]
    assert node_ids == [row[0] for row in truth]
    header, edges = read_csv(data.public_files["edges.csv"])
    assert header == ["source", "target", "volume", "night_share", "transfer_share"]
    known = set(node_ids)
    pairs = [(row[0], row[1]) for row in edges]
    assert len(pairs) == len(set(pairs)) == data.meta["n_edges"]
    assert all(a < b and a in known and b in known for a, b in pairs)
    assert pairs == sorted(pairs)
    for row in edges[:2000]:
        assert int(row[2]) >= 1 and 0 <= float(row[3]) <= 1 and 0 <= float(row[4]) <= 1


def test_network_node_ids_leak_nothing():
    _, truth = read_csv(dataset("network", 3).truth)
    rings = np.array([int(row[1]) for row in truth])
    positions = np.flatnonzero(rings) / len(rings)
    assert abs(positions.mean() - 0.5) < 0.08
    # Members of one ring are not numbered together: their ids span much of the id range.
    spans = [np.ptp(np.flatnonzero(rings == ring)) / len(rings) for ring in np.unique(rings[rings != 0])]
    assert np.median(spans) > 0.5
