"""Shared helpers of the dataset generators: seeded random streams, CSV writing, small formatters.

Everything here serves one promise: the same (kind, seed, size) gives byte-identical files.

1. Randomness: a generator asks `streams(seed, names, secret)` for one `numpy.random.Generator` per
   named purpose. All of them are spawned, in the order of `names`, from a single
   `numpy.random.SeedSequence`, so adding a draw to one stream never shifts another. Without a
   secret its entropy is the seed alone (`generate_dataset`, local experiments); with one (the
   platform's own datasets) it is `[seed, secret]`, so nobody without the secret can rebuild the
   files, whatever seed they try.
2. Text: numbers are written with explicit, fixed formats (`fmt_float`, `fmt_int`), rows in an
   explicit order, `\\n` line ends, UTF-8 without BOM, and never a timestamp.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SIZES = ("small", "medium", "large")
PUBLIC_FRACTION = 0.3  # share of ids scored on the public leaderboard (the rest is private)
CHUNK_ROWS = 100_000  # rows formatted at a time when writing a CSV


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


SECRET_BYTES = 16  # 128 bits: far beyond any search


def check_secret(secret: bytes | None) -> bytes | None:
    """Return `secret` (at least 16 bytes) or None; refuse anything weaker or of another type."""
    if secret is None:
        return None
    if not isinstance(secret, (bytes, bytearray)):
        raise TypeError(f"secret must be bytes, not {type(secret).__name__}")
    if len(secret) < SECRET_BYTES:
        raise ValueError(f"secret must hold at least {SECRET_BYTES} bytes, got {len(secret)}")
    return bytes(secret)


def seed_sequence(seed: int, secret: bytes | None = None) -> np.random.SeedSequence:
    """`SeedSequence(seed)` without a secret (unchanged since version 1), else `SeedSequence([seed, secret])`.

    SeedSequence hashes every 32-bit word of its entropy, so the 128-bit secret weighs as much as the
    seed: trying seeds without it gives unrelated streams.
    """
    seed, secret = check_seed(seed), check_secret(secret)
    if secret is None:
        return np.random.SeedSequence(seed)
    return np.random.SeedSequence([seed, int.from_bytes(secret, "big")])


def check_size(size: str) -> str:
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}; got {size!r}")
    return size


def streams(seed: int, names: Sequence[str], secret: bytes | None = None) -> dict[str, np.random.Generator]:
    """One independent generator per name, all spawned from `seed_sequence(seed, secret)` in the given order."""
    children = seed_sequence(seed, secret).spawn(len(names))
    return {name: np.random.Generator(np.random.PCG64(child)) for name, child in zip(names, children, strict=True)}


def fmt_float(values: np.ndarray, decimals: int) -> list[str]:
    """Fixed-point strings with exactly `decimals` digits; `-0.000` is written as `0.000`."""
    rounded = np.round(np.asarray(values, dtype=np.float64), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not np.all(np.isfinite(rounded)):
        raise ValueError("cannot write a non-finite number to a dataset")
    # One %-format over the whole column runs in C: about twice as fast as a list of str.format calls.
    return ((f"%.{decimals}f," * rounded.size) % tuple(rounded.tolist())).split(",")[:-1]


def fmt_int(values: np.ndarray) -> list[str]:
    ints = np.asarray(values).astype(np.int64)
    return (("%d," * ints.size) % tuple(ints.tolist())).split(",")[:-1]


def sequential_ids(prefix: str, n: int) -> list[str]:
    """Ids `prefix` + zero-padded row number (at least 6 digits), so string order is numeric order.

    Callers shuffle their entities with a random permutation *before* numbering them: the id of an
    entity, and its row in a file sorted by id, then tell nothing about how it was generated.
    """
    width = max(6, len(str(max(n - 1, 0))))
    return [f"{prefix}{k:0{width}d}" for k in range(n)]


def stratified_mask(strata: np.ndarray, rng: np.random.Generator, fraction: float) -> np.ndarray:
    """A random boolean mask that selects round(fraction * size) members of every stratum.

    Stratifying (e.g. by label) keeps rare classes on both sides even at small sizes, so no split's
    metric is undefined by bad luck.
    """
    strata = np.asarray(strata)
    mask = np.zeros(strata.shape[0], dtype=bool)
    for value in np.unique(strata):
        members = np.flatnonzero(strata == value)
        mask[rng.choice(members, size=int(round(fraction * members.size)), replace=False)] = True
    return mask


def split_labels(strata: np.ndarray, rng: np.random.Generator, public_fraction: float = PUBLIC_FRACTION) -> np.ndarray:
    """`public`/`private` per item, at random, in the same proportion within every stratum."""
    return np.where(stratified_mask(strata, rng, public_fraction), "public", "private").astype(object)


@dataclass(frozen=True)
class Column:
    """A column formatted lazily, chunk by chunk, so a large file never holds all its cells as `str`s."""

    values: Any  # anything sliceable with a length: numpy array, list, range
    format: Callable[[Any], list[str]]

    def __len__(self) -> int:
        return len(self.values)

    def cells(self, start: int, stop: int) -> list[str]:
        return self.format(self.values[start:stop])


def int_column(values: np.ndarray) -> Column:
    return Column(np.asarray(values), fmt_int)


def float_column(values: np.ndarray, decimals: int) -> Column:
    return Column(np.asarray(values, dtype=np.float64), functools.partial(fmt_float, decimals=decimals))


def category_column(codes: np.ndarray, names: Sequence[str]) -> Column:
    return Column(np.asarray(codes), lambda chunk: [names[i] for i in chunk.tolist()])


def id_column(prefix: str, n: int) -> Column:
    """The ids of `sequential_ids(prefix, n)`, made a chunk at a time."""
    width = max(6, len(str(max(n - 1, 0))))
    pattern = f"{prefix}%0{width}d,"
    return Column(range(n), lambda chunk: ((pattern * len(chunk)) % tuple(chunk)).split(",")[:-1])


def csv_bytes(header: Sequence[str], columns: Sequence[Column | Sequence[str]]) -> bytes:
    """A CSV file (header + rows, `,` separator, `\\n` line ends) from columns.

    A column is a `Column` (formatted here, `CHUNK_ROWS` rows at a time) or a sequence of strings
    already formatted. Values are never quoted, so a value must not contain a comma, quote or line
    break; ids, numbers and the generators' category names never do (checked on every chunk).
    """
    if len(header) != len(columns):
        raise ValueError("header and columns differ in length")
    lengths = {len(col) for col in columns}
    if len(lengths) > 1:
        raise ValueError("columns differ in length")
    n_rows = lengths.pop() if lengths else 0
    parts = [(",".join(header) + "\n").encode("utf-8")]
    for start in range(0, n_rows, CHUNK_ROWS):
        stop = min(n_rows, start + CHUNK_ROWS)
        cells = [col.cells(start, stop) if isinstance(col, Column) else list(col[start:stop]) for col in columns]
        text = "".join(",".join(row) + "\n" for row in zip(*cells, strict=True))
        if '"' in text or "\r" in text or text.count(",") != (stop - start) * (len(header) - 1):
            raise ValueError("a CSV value contains a comma, quote or line break")
        parts.append(text.encode("utf-8"))
    return b"".join(parts)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def provenance(kind: str, seed: int | None, size: str) -> str:
    """The data card's first line: the seed only for a dataset anyone can rebuild (no secret)."""
    if seed is None:
        return (
            f"Generated by the platform's `{kind}` generator, size `{size}`, from the organizers' seed and a "
            "secret held by the server (so it cannot be rebuilt from this card)."
        )
    return f"Generated by the platform's `{kind}` generator, seed {seed}, size `{size}`."


def fmt_number(value: float | int, decimals: int = 0) -> str:
    """Human-readable number for the data card: thousands separators, fixed decimals."""
    return f"{value:,.{decimals}f}"
