"""Kind `hotspot`: score every cell of a fixed grid so that the top-scored cells hold the most incidents."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pyarrow as pa

from .base import SPLIT_COLUMN, SPLITS, CsvScorer, Result
from .csvio import Column, Table
from .errors import ScoringValidationError
from .matching import IdIndex, arrow_indices, match_or_raise, require_unique
from .metrics import mean_or_none, sum_of_largest, top_k_credit

DEFAULT_FRACTIONS = (0.01, 0.02, 0.05, 0.10)

_TEMPLATES = {
    "hit_rate": "Hit rate at {p}: the share of all incidents that fall in your top-scored {p} of the cells.",
    "pai": (
        "Predictive Accuracy Index at {p}: the hit rate divided by the share of the area flagged ({p}), "
        "so 1.0 is no better than flagging cells at random."
    ),
    "pei_star": (
        "Prediction Efficiency Index* at {p}: the incidents in your top-scored {p} of the cells divided by "
        "the most that any choice of that many cells could have captured (1.0 is perfect)."
    ),
}
_MEAN_DESCRIPTION = "Mean of PEI* over the flagged area fractions, ignoring undefined values: the leaderboard metric."


def percent_label(fraction: float) -> str:
    """100 * fraction without trailing zeros: 0.01 -> '1%', 0.1 -> '10%', 0.005 -> '0.5%'."""
    value = (Decimal(repr(float(fraction))) * 100).normalize()
    return f"{value:f}%"


def cells_flagged(fraction: float, n_cells: int) -> int:
    """k = max(1, round(f * N)); Python's round() rounds half to even, as the spec requires."""
    return max(1, round(fraction * n_cells))


def _metric_names(fractions: tuple[float, ...]) -> list[str]:
    labels = [percent_label(f) for f in fractions]
    return [f"{m}@{label}" for m in ("hit_rate", "pai", "pei_star") for label in labels] + ["mean_pei_star"]


def _descriptions(fractions: tuple[float, ...]) -> dict[str, str]:
    out = {}
    for metric in ("hit_rate", "pai", "pei_star"):
        for f in fractions:
            out[f"{metric}@{percent_label(f)}"] = _TEMPLATES[metric].format(p=percent_label(f))
    out["mean_pei_star"] = _MEAN_DESCRIPTION
    return {name: out[name] for name in _metric_names(fractions)}


@dataclass
class HotspotTruth:
    cells: pa.Array  # the study area, in the order of the first split listed
    index: IdIndex
    counts: dict[str, np.ndarray | None]  # per split, aligned with `cells`; None if the split is absent


class HotspotScorer(CsvScorer):
    kind = "hotspot"
    primary_metric = "mean_pei_star"
    truth_schema = (Column("cell_id", "id"), SPLIT_COLUMN, Column("count", "count"))
    submission_schema = (Column("cell_id", "id"), Column("score", "float"))
    default_params = {"fractions": list(DEFAULT_FRACTIONS)}
    metric_descriptions = _descriptions(DEFAULT_FRACTIONS)
    # PAI (hit rate over area fraction) has no upper bound.
    metric_bounds = {"hit_rate": (0.0, 1.0), "pai": (0.0, None), "pei_star": (0.0, 1.0), "mean_pei_star": (0.0, 1.0)}

    def check_params(self, params: dict[str, Any] | None) -> dict[str, Any]:
        params = super().check_params(params)
        raw = params["fractions"]
        if isinstance(raw, (str, bytes)) or not hasattr(raw, "__iter__"):
            raise ValueError("fractions must be a list of numbers between 0 and 1, e.g. [0.01, 0.05]")
        fractions = []
        for value in raw:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"fraction {value!r} is not a number")
            value = float(value)
            if not (math.isfinite(value) and 0 < value <= 1):
                raise ValueError(f"fraction {value!r} must be greater than 0 and at most 1")
            fractions.append(value)
        if not fractions:
            raise ValueError("fractions must list at least one area fraction")
        labels = [percent_label(f) for f in fractions]
        if len(set(labels)) != len(labels):
            raise ValueError(f"fractions must not repeat: {', '.join(labels)}")
        return {**params, "fractions": fractions}

    def metric_names(self, params: dict[str, Any] | None = None) -> list[str]:
        return _metric_names(tuple(self.check_params(params)["fractions"]))

    def describe_metrics(self, params: dict[str, Any] | None = None) -> dict[str, str]:
        return _descriptions(tuple(self.check_params(params)["fractions"]))

    def prepare_truth(self, table: Table) -> HotspotTruth:
        """Check that every split lists the same cells once each, and align the counts with them.

        1. The first split present (public, then private) defines the study area; its cells must be unique.
        2. Every other split must list exactly those cells, once each (message names the split and lines).
        3. Counts of each split are reordered to the study area's order.
        """
        if table.n_rows == 0:
            raise ScoringValidationError.of("no_data_rows", side="truth")
        cells, split_codes, counts = table["cell_id"], table["split"], table["count"]
        counts_by_split: dict[str, np.ndarray | None] = dict.fromkeys(SPLITS)
        index: IdIndex | None = None
        reference = ""
        for code, name in enumerate(SPLITS):
            rows = np.flatnonzero(split_codes == code)
            if not len(rows):
                continue
            split_cells = cells if len(rows) == len(cells) else cells.take(arrow_indices(rows))

            def line_of(r: int, rows: np.ndarray = rows) -> int:
                return int(rows[r]) + 2

            if index is None:
                index, reference = IdIndex(split_cells), name
                require_unique(index, noun="cell_id", side="truth", whole=f"split {name!r}", line_of=line_of)
                counts_by_split[name] = counts[rows]
                continue
            idx = match_or_raise(
                index,
                split_cells,
                noun="cell_id",
                side="truth",
                expectation=(
                    f"every split covers the same study area, so split {name!r} must list each of the "
                    f"{index.n:,} cell_ids of split {reference!r} exactly once"
                ),
                line_of=line_of,
                unknown_phrase=f"is not listed for split {reference!r}",
            )
            aligned = np.zeros(index.n, dtype=np.int64)
            aligned[idx] = counts[rows]
            counts_by_split[name] = aligned
        assert index is not None
        return HotspotTruth(index.ids, index, counts_by_split)

    def summarize_truth(self, prepared: HotspotTruth) -> dict[str, Any]:
        splits: dict[str, Any] = {}
        warnings = []
        for name, counts in prepared.counts.items():
            if counts is None:
                warnings.append(f"split {name!r} is not in the truth: its metrics will be null")
                continue
            incidents = int(counts.sum())
            splits[name] = {
                "cells": len(counts),
                "incidents": incidents,
                "cells_with_incidents": int((counts > 0).sum()),
            }
            if incidents == 0:
                warnings.append(f"split {name!r} has no incidents: its metrics will be null")
        return {"kind": self.kind, "cells": prepared.index.n, "splits": splits, "warnings": warnings}

    def evaluate(self, prepared: HotspotTruth, submission: Table, params: dict[str, Any]) -> Result:
        n_cells = prepared.index.n
        idx = match_or_raise(
            prepared.index,
            submission["cell_id"],
            noun="cell_id",
            expectation=f"the file must list each of the {n_cells:,} cells of the study area exactly once",
            unknown_phrase="is not a cell of the study area",
        )
        scores = np.empty(n_cells, dtype=np.float64)
        scores[idx] = submission["score"]
        fractions = params["fractions"]
        names = _metric_names(tuple(fractions))
        result: Result = {}
        for split, counts in prepared.counts.items():
            metrics: dict[str, float | None] = dict.fromkeys(names)
            if counts is not None:
                metrics.update(self._split_metrics(counts, scores, fractions))
            result[split] = metrics
        return result

    @staticmethod
    def _split_metrics(counts: np.ndarray, scores: np.ndarray, fractions: list[float]) -> dict[str, float | None]:
        n_cells = len(counts)
        total = int(counts.sum())
        out: dict[str, float | None] = {}
        pei_values: list[float | None] = []
        for fraction in fractions:
            label = percent_label(fraction)
            k = cells_flagged(fraction, n_cells)
            captured = top_k_credit(counts, scores, k)
            best = sum_of_largest(counts, k)
            hit_rate = captured / total if total else None
            out[f"hit_rate@{label}"] = None if hit_rate is None else float(hit_rate)
            out[f"pai@{label}"] = None if hit_rate is None else float(hit_rate / Fraction(k, n_cells))
            pei = float(captured / best) if best else None
            out[f"pei_star@{label}"] = pei
            pei_values.append(pei)
        out["mean_pei_star"] = mean_or_none(pei_values)
        return out
