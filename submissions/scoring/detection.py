"""Kind `detection`: rank records so that the suspicious ones (label 1) come first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .base import SPLIT_COLUMN, SPLITS, CsvScorer, Result, split_masks
from .csvio import Column, Table
from .errors import ScoringValidationError
from .matching import IdIndex, match_or_raise, require_unique
from .metrics import ranking_metrics


@dataclass
class DetectionTruth:
    ids: pa.Array
    index: IdIndex
    labels: np.ndarray  # bool, in truth row order
    splits: np.ndarray  # 0 = public, 1 = private


class DetectionScorer(CsvScorer):
    kind = "detection"
    primary_metric = "average_precision"
    truth_schema = (Column("record_id", "id"), Column("label", "choice", ("0", "1")), SPLIT_COLUMN)
    submission_schema = (Column("record_id", "id"), Column("score", "float"))
    metric_bounds = {"average_precision": (0.0, 1.0), "roc_auc": (0.0, 1.0), "r_precision": (0.0, 1.0)}
    metric_descriptions = {
        "average_precision": (
            "Average precision: the precision reached each time another suspicious record is found, "
            "averaged over all of them while walking down your ranking (1.0 means every suspicious record comes first)."
        ),
        "roc_auc": (
            "Area under the ROC curve: the chance that a randomly chosen suspicious record gets a higher score "
            "than a randomly chosen benign one, ties counting one half (0.5 is chance)."
        ),
        "r_precision": (
            "Precision among your top R records, where R is the number of suspicious records, "
            "with records tied at the cut-off sharing the remaining places evenly."
        ),
    }

    def prepare_truth(self, table: Table) -> DetectionTruth:
        if table.n_rows == 0:
            raise ScoringValidationError.of("no_data_rows", side="truth")
        ids = table["record_id"]
        index = IdIndex(ids)
        require_unique(index, noun="record_id", side="truth", whole="the truth")
        return DetectionTruth(ids, index, table["label"].astype(bool), table["split"])

    def summarize_truth(self, prepared: DetectionTruth) -> dict[str, Any]:
        splits: dict[str, Any] = {}
        warnings = []
        for name, mask in split_masks(prepared.splits).items():
            rows = int(mask.sum())
            positives = int(prepared.labels[mask].sum())
            splits[name] = {"rows": rows, "positives": positives}
            if positives == 0 or positives == rows:
                warnings.append(
                    f"split {name!r} has {'no' if positives == 0 else 'only'} positive records: some metrics will be null"
                )
        return {"kind": self.kind, "rows": len(prepared.ids), "splits": splits, "warnings": warnings}

    def evaluate(self, prepared: DetectionTruth, submission: Table, params: dict[str, Any]) -> Result:
        idx = match_or_raise(prepared.index, submission["record_id"], noun="record_id")
        scores = np.empty(len(prepared.ids), dtype=np.float64)
        scores[idx] = submission["score"]
        result: Result = {}
        for name, mask in split_masks(prepared.splits).items():
            result[name] = ranking_metrics(prepared.labels[mask], scores[mask])
        return {name: result[name] for name in SPLITS}
