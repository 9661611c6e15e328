"""Shared helpers of the dataset generators: seeded random streams, CSV writing, small formatters.

Everything here serves one promise: the same (kind, seed, size) gives byte-identical files.

1. Randomness: a generator asks `streams(seed, names)` for one `numpy.random.Generator` per named
   purpose. All of them are spawned, in the order of `names`, from a single
   `numpy.random.SeedSequence(seed)`, so adding a draw to one stream never shifts another.
2. Text: numbers are written with explicit, fixed formats (`fmt_float`, `fmt_int`), rows in an
   explicit order, `\\n` line ends, UTF-8 without BOM, and never a timestamp.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SIZES = ("small", "medium", "large")
PUBLIC_FRACTION = 0.3  # share of ids scored on the public leaderboard (the rest is private)


@dataclass
class GeneratedDataset:
    """One generated dataset, held in memory.

    `public_files` maps a file name to its bytes (what participants download), `truth` is the
    hidden truth.csv, `params` the scoring parameters for the scorer, `meta` small JSON-able facts.
    """

    kind: str
    seed: int
    size: str
    public_files: dict[str, bytes]
    truth: bytes
    params: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def check_seed(seed: int) -> int:
    """Return `seed` as an int, refusing what `SeedSequence` cannot take or would silently coerce."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, not {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return int(seed)


def check_size(size: str) -> str:
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}; got {size!r}")
    return size


def streams(seed: int, names: Sequence[str]) -> dict[str, np.random.Generator]:
    """One independent generator per name, all spawned from `SeedSequence(seed)` in the given order."""
    children = np.random.SeedSequence(check_seed(seed)).spawn(len(names))
    return {name: np.random.Generator(np.random.PCG64(child)) for name, child in zip(names, children, strict=True)}


def fmt_float(values: np.ndarray, decimals: int) -> list[str]:
    """Fixed-point strings with exactly `decimals` digits; `-0.000` is written as `0.000`."""
    rounded = np.round(np.asarray(values, dtype=np.float64), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not np.all(np.isfinite(rounded)):
        raise ValueError("cannot write a non-finite number to a dataset")
    spec = f"{{:.{decimals}f}}"
    return [spec.format(v) for v in rounded.tolist()]


def fmt_int(values: np.ndarray) -> list[str]:
    return [str(v) for v in np.asarray(values).astype(np.int64).tolist()]


def sequential_ids(prefix: str, n: int) -> list[str]:
    """Ids `prefix` + zero-padded row number (at least 6 digits), so string order is numeric order.

    Callers shuffle their entities with a random permutation *before* numbering them: the id of an
    entity, and its row in a file sorted by id, then tell nothing about how it was generated.
    """
    width = max(6, len(str(max(n - 1, 0))))
    return [f"{prefix}{k:0{width}d}" for k in range(n)]


def split_labels(strata: np.ndarray, rng: np.random.Generator, public_fraction: float = PUBLIC_FRACTION) -> np.ndarray:
    """Assign `public`/`private` at random, stratified so each stratum is split in the same proportion.

    Stratifying (e.g. by label) keeps positives in both splits even at small sizes, so no split's
    metric is undefined by bad luck.
    """
    strata = np.asarray(strata)
    split = np.full(strata.shape[0], "private", dtype=object)
    for value in np.unique(strata):
        members = np.flatnonzero(strata == value)
        n_public = int(round(public_fraction * members.size))
        chosen = rng.choice(members, size=n_public, replace=False)
        split[chosen] = "public"
    return split


def csv_bytes(header: Sequence[str], columns: Sequence[Sequence[str]]) -> bytes:
    """A CSV file (header + rows, `,` separator, `\\n` line ends) from columns of pre-formatted strings.

    Values are never quoted, so a value must not contain a comma, quote or line break; ids, numbers
    and the generators' category names never do (checked here, cheaply, on every value).
    """
    if len(header) != len(columns):
        raise ValueError("header and columns differ in length")
    n_rows = {len(col) for col in columns}
    if len(n_rows) > 1:
        raise ValueError("columns differ in length")
    lines = [",".join(header)]
    lines.extend(",".join(row) for row in zip(*columns, strict=True))
    text = "\n".join(lines) + "\n"
    if '"' in text or "\r" in text or text.count(",") != len(lines) * (len(header) - 1):
        raise ValueError("a CSV value contains a comma, quote or line break")
    return text.encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fmt_number(value: float | int, decimals: int = 0) -> str:
    """Human-readable number for the data card: thousands separators, fixed decimals."""
    return f"{value:,.{decimals}f}"
