"""Automatic scoring of challenge submissions (pure Python: no ORM, no Django needed to import it).

The contract is /work/shared/spec/scoring.md. Typical use, from a Celery task or a command:

    from submissions.scoring import ScoringValidationError, score_file
    try:
        result = score_file("detection", truth_path, storage.open(name, "rb"), max_decompressed_bytes=...)
    except ScoringValidationError as exc:
        ...  # a final "failed validation" status; show exc.message to the team
"""

from __future__ import annotations

from typing import Any

from .base import CsvScorer, Result, Scorer, clean_result
from .errors import ScoringValidationError
from .registry import ScorerConfigurationError, UnknownKindError, available_kinds, get_scorer
from .sources import DEFAULT_MAX_DECOMPRESSED_BYTES, Source, read_source

__all__ = [
    "DEFAULT_MAX_DECOMPRESSED_BYTES",
    "CsvScorer",
    "Scorer",
    "ScorerConfigurationError",
    "ScoringValidationError",
    "UnknownKindError",
    "available_kinds",
    "get_scorer",
    "PreparedTruth",
    "prepare_truth",
    "score_file",
    "score_prepared",
    "validate_truth",
]


def score_file(
    kind: str,
    truth: Source,
    submission: Source,
    *,
    params: dict[str, Any] | None = None,
    max_decompressed_bytes: int | None = None,
) -> Result:
    """Score one submission file against a truth file.

    1. Find the scorer for `kind` (UnknownKindError if none, e.g. for `judged`).
    2. Let it read both files (path, binary file object or bytes; gzip recognised by content),
       each capped at `max_decompressed_bytes` (default 200 MiB) while inflating.
    3. Return {"public": {...}, "private": {...}} with floats or None, never NaN. A refused file
       raises ScoringValidationError naming the line and the side at fault; bad `params` raise ValueError.
    """
    scorer = get_scorer(kind)
    if isinstance(scorer, CsvScorer):
        result = scorer.score(truth, submission, params, max_decompressed_bytes=max_decompressed_bytes)
    else:
        # Extra scorers receive the decompressed bytes, so the size cap holds for them too.
        truth_data = read_source(truth, side="truth", max_bytes=max_decompressed_bytes)
        submission_data = read_source(submission, side="submission", max_bytes=max_decompressed_bytes)
        result = scorer.score(truth_data, submission_data, params)
    return clean_result(result)


class PreparedTruth:
    """A truth file read, validated and indexed once, to score many submissions against (read-only).

    Made by `prepare_truth`; the arrays inside are marked read-only, so a scorer that tried to change
    the shared truth between two submissions would fail loudly instead of scoring the next one wrongly.
    """

    __slots__ = ("kind", "params", "prepared")

    def __init__(self, kind: str, params: dict[str, Any], prepared: Any) -> None:
        self.kind, self.params, self.prepared = kind, params, prepared


def _freeze(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            _freeze(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            _freeze(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _freeze(item)
    elif type(value).__module__.startswith(__name__):  # the scorers' own helpers (IdIndex...)
        for item in vars(value).values():
            _freeze(item)
    return value


def prepare_truth(
    kind: str, truth: Source, params: dict[str, Any] | None = None, *, max_decompressed_bytes: int | None = None
) -> PreparedTruth:
    """Read and validate a truth file once (the costly half of scoring), for `score_prepared`."""
    scorer = get_scorer(kind)
    if isinstance(scorer, CsvScorer):
        checked = scorer.check_params(params)
        table = scorer.read_table(truth, side="truth", max_decompressed_bytes=max_decompressed_bytes)
        return PreparedTruth(kind, checked, _freeze(scorer.prepare_truth(table)))
    return PreparedTruth(kind, dict(params or {}), read_source(truth, side="truth", max_bytes=max_decompressed_bytes))


def score_prepared(truth: PreparedTruth, submission: Source, *, max_decompressed_bytes: int | None = None) -> Result:
    """Score one submission against a truth prepared by `prepare_truth`: the same result as `score_file`."""
    scorer = get_scorer(truth.kind)
    if isinstance(scorer, CsvScorer):
        table = scorer.read_table(submission, side="submission", max_decompressed_bytes=max_decompressed_bytes)
        return clean_result(scorer.evaluate(truth.prepared, table, truth.params))
    submission_data = read_source(submission, side="submission", max_bytes=max_decompressed_bytes)
    return clean_result(scorer.score(truth.prepared, submission_data, truth.params))


def validate_truth(
    kind: str, truth: Source, params: dict[str, Any] | None = None, *, max_decompressed_bytes: int | None = None
) -> dict[str, Any]:
    """Check an organizer's truth file; return a summary (rows per split, warnings) or raise ScoringValidationError."""
    scorer = get_scorer(kind)
    check = getattr(scorer, "validate_truth", None)
    if check is None:
        data = read_source(truth, side="truth", max_bytes=max_decompressed_bytes)
        return {"kind": kind, "bytes": len(data), "splits": {}, "warnings": []}
    return check(truth, params, max_decompressed_bytes=max_decompressed_bytes)
