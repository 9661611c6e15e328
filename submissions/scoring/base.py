"""What every scorer offers, and the shared read → parse → validate → score workflow of CSV scorers."""

from __future__ import annotations

import abc
import math
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from .csvio import Column, Table, parse_csv
from .errors import Side
from .sources import Source, read_source

SPLITS: tuple[str, ...] = ("public", "private")
SPLIT_COLUMN = Column("split", "choice", SPLITS)

Result = dict[str, dict[str, float | None]]


@runtime_checkable
class Scorer(Protocol):
    """The interface the platform relies on; extra scorers (entry points, settings) provide it too.

    `score(truth, submission, params)` returns {"public": {metric: float | None}, "private": {...}}
    and raises ScoringValidationError for a refused file. `score_file` hands extra scorers the
    decompressed bytes of each file (so the size cap holds for them too); the built-in scorers
    also accept a path or a binary file object.
    """

    kind: str
    primary_metric: str
    higher_is_better: bool
    truth_columns: tuple[str, ...]
    submission_columns: tuple[str, ...]
    metric_descriptions: dict[str, str]
    default_params: dict[str, Any]

    def score(self, truth: Any, submission: Any, params: dict[str, Any] | None = None) -> Result: ...


class CsvScorer(abc.ABC):
    """Base for the built-in scorers: one truth CSV, one submission CSV, metrics per split.

    Subclasses declare their schemas and implement `prepare_truth`, `summarize_truth` and
    `evaluate`; they may override `check_params` and `metric_names`.
    """

    kind: ClassVar[str]
    primary_metric: ClassVar[str]
    higher_is_better: ClassVar[bool] = True
    truth_schema: ClassVar[tuple[Column, ...]]
    submission_schema: ClassVar[tuple[Column, ...]]
    metric_descriptions: ClassVar[dict[str, str]]
    default_params: ClassVar[dict[str, Any]] = {}
    # The range each metric can take, (low, high), None for unbounded; a name "m@5%" reads "m"'s range.
    # Charts bound their axes with it. Metrics not listed are unbounded.
    metric_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {}

    @property
    def truth_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.truth_schema)

    @property
    def submission_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.submission_schema)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} kind={self.kind!r}>"

    # --- parameters and metric names -------------------------------------------------------------

    def check_params(self, params: dict[str, Any] | None) -> dict[str, Any]:
        """Defaults merged with `params`; raise ValueError on an unknown or malformed parameter."""
        params = dict(params or {})
        unknown = sorted(set(params) - set(self.default_params))
        if unknown:
            raise ValueError(f"kind {self.kind!r} takes no parameter {', '.join(map(repr, unknown))}")
        return {**self.default_params, **params}

    def metric_names(self, params: dict[str, Any] | None = None) -> list[str]:
        return list(self.metric_descriptions)

    def metric_range(self, name: str) -> tuple[float | None, float | None]:
        """The values metric `name` can take: (low, high), None where unbounded."""
        return self.metric_bounds.get(name, self.metric_bounds.get(name.partition("@")[0], (None, None)))

    def describe_metrics(self, params: dict[str, Any] | None = None) -> dict[str, str]:
        """One sentence per metric produced with these parameters, for web pages."""
        return {name: self.metric_descriptions[name] for name in self.metric_names(params)}

    # --- workflow ------------------------------------------------------------------------------------

    def read_table(self, source: Source, *, side: Side, max_decompressed_bytes: int | None = None) -> Table:
        schema = self.truth_schema if side == "truth" else self.submission_schema
        return parse_csv(read_source(source, side=side, max_bytes=max_decompressed_bytes), schema, side=side)

    def validate_truth(
        self, truth: Source, params: dict[str, Any] | None = None, *, max_decompressed_bytes: int | None = None
    ) -> dict[str, Any]:
        """Check an organizer's truth file and summarise it (rows per split, warnings for null metrics)."""
        self.check_params(params)
        prepared = self.prepare_truth(
            self.read_table(truth, side="truth", max_decompressed_bytes=max_decompressed_bytes)
        )
        return self.summarize_truth(prepared)

    def score(
        self,
        truth: Source,
        submission: Source,
        params: dict[str, Any] | None = None,
        *,
        max_decompressed_bytes: int | None = None,
    ) -> Result:
        """Score a submission against the truth.

        1. Check the parameters (a ValueError is a configuration problem, not the team's).
        2. Read and validate the truth first, so that a broken truth is never blamed on a team.
        3. Read and validate the submission: format, values, then its ids against the truth's.
        4. Compute every metric for each split; undefined metrics are None.
        """
        params = self.check_params(params)
        prepared = self.prepare_truth(
            self.read_table(truth, side="truth", max_decompressed_bytes=max_decompressed_bytes)
        )
        table = self.read_table(submission, side="submission", max_decompressed_bytes=max_decompressed_bytes)
        return clean_result(self.evaluate(prepared, table, params))

    # --- kind-specific steps -------------------------------------------------------------------------

    @abc.abstractmethod
    def prepare_truth(self, table: Table) -> Any: ...

    @abc.abstractmethod
    def summarize_truth(self, prepared: Any) -> dict[str, Any]: ...

    @abc.abstractmethod
    def evaluate(self, prepared: Any, submission: Table, params: dict[str, Any]) -> Result: ...


def clean_result(result: Any) -> Result:
    """Plain floats or None, never NaN/inf: JSON and the database must not see numpy scalars."""
    cleaned: Result = {}
    for split, metrics in dict(result).items():
        cleaned[str(split)] = {}
        for name, value in dict(metrics).items():
            number = None if value is None else float(value)
            cleaned[str(split)][str(name)] = number if number is not None and math.isfinite(number) else None
    return cleaned


def split_masks(split_codes: np.ndarray) -> dict[str, np.ndarray]:
    return {name: split_codes == code for code, name in enumerate(SPLITS)}
