"""Match the ids of one file to those of another: fast when they agree, exact when they do not.

Hash tables over millions of short strings are the slow part of a naive scorer, so the fast path
hashes every id to 64 bits with vectorised numpy, sorts the hashes of both sides and compares them.
A match is always confirmed by comparing the actual strings, so a hash collision can only cost
time (the exact path runs), never a wrong result. The exact path uses plain dicts, finds every
duplicated, unknown and missing id with its line, and is the only one that writes messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import ScoringValidationError, Side, show

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SEED = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_SHOWN = 3
_BLOCK = 1 << 18


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place: every input bit affects every output bit."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def string_keys(ids: pa.Array) -> np.ndarray:
    """64-bit hashes of the strings of a pyarrow (large_)string array, computed without Python loops.

    1. Read the offsets and the data buffer directly; pad the data so an 8-byte read at the start
       of any string stays in bounds.
    2. View the data as unaligned little-endian 64-bit words starting at every byte, so word k of
       string i is one gather at `start_i + 8k`; bytes past the string's end are shifted out.
    3. Fold the words into a hash seeded with the length, one pass per word index, only over the
       strings that long (ids are usually short and of similar length, so one or two passes).
    """
    n = len(ids)
    keys = np.empty(n, dtype=np.uint64)
    if n == 0:
        return keys
    offset_type = np.int64 if pa.types.is_large_string(ids.type) else np.int32
    buffers = ids.buffers()
    offsets = np.frombuffer(
        buffers[1], dtype=offset_type, count=n + 1, offset=ids.offset * np.dtype(offset_type).itemsize
    )
    first, last = int(offsets[0]), int(offsets[-1])
    padded = np.zeros(last - first + 8, dtype=np.uint8)
    if last > first:
        padded[: last - first] = np.frombuffer(buffers[2], dtype=np.uint8, count=last - first, offset=first)
    words = np.ndarray(shape=(last - first + 1,), dtype="<u8", buffer=padded, strides=(1,))
    # Blocks of rows keep the temporaries small (a few MB) however many ids there are.
    for a in range(0, n, _BLOCK):
        b = min(n, a + _BLOCK)
        block_offsets = offsets[a : b + 1].astype(np.int64)
        starts = block_offsets[:-1] - first
        lengths = np.diff(block_offsets)
        h = _mix(lengths.astype(np.uint64) ^ _SEED)
        n_words = (lengths + 7) // 8
        for k in range(int(n_words.max())):
            rows = None if k == 0 else np.flatnonzero(n_words > k)
            sel_starts = starts if rows is None else starts[rows]
            remaining = (lengths if rows is None else lengths[rows]) - 8 * k
            word = words[sel_starts + 8 * k]
            shift = (64 - 8 * np.clip(remaining, 1, 8)).astype(np.uint64)
            word = (word << shift) >> shift
            if rows is None:
                h = _mix(h ^ word)
            else:
                h[rows] = _mix(h[rows] ^ word)
        keys[a:b] = h
    return keys


def arrow_indices(positions: np.ndarray) -> pa.Array:
    """A zero-copy int64 arrow array over numpy positions (pa.array() would import pandas, slowly)."""
    positions = np.ascontiguousarray(positions, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(positions), [None, pa.py_buffer(positions)])


class IdIndex:
    """The ids of a reference file (truth), sorted once by hash for repeated fast matching."""

    def __init__(self, ids: pa.Array) -> None:
        self.ids = ids
        self.n = len(ids)
        self.keys = string_keys(ids)
        self.order = np.argsort(self.keys)
        self.sorted_keys = self.keys[self.order]
        # Distinct hashes imply distinct strings; equal hashes may be a collision, so "not sure".
        self.certainly_unique = self.n < 2 or bool(np.all(self.sorted_keys[1:] != self.sorted_keys[:-1]))

    def match(self, query: pa.Array) -> np.ndarray | None:
        """Positions `idx` with query[i] == ids[idx[i]] if query is a permutation of the ids, else None.

        None also means "not sure" (a hash collision); callers then look closer (`vector_report`,
        then `compare_ids`).
        """
        if len(query) != self.n or not self.certainly_unique:
            return None
        if self.n == 0:
            return np.empty(0, dtype=np.int64)
        head = min(self.n, 16)
        # Files written from the participant data often keep its order: one cheap comparison.
        if query.slice(0, head).equals(self.ids.slice(0, head)) and pc.all(pc.equal(query, self.ids)).as_py():
            return np.arange(self.n, dtype=np.int64)
        query_keys = string_keys(query)
        query_order = np.argsort(query_keys)
        if not np.array_equal(query_keys[query_order], self.sorted_keys):
            return None
        idx = np.empty(self.n, dtype=np.int64)
        idx[query_order] = self.order
        if not pc.all(pc.equal(query, self.ids.take(arrow_indices(idx)))).as_py():
            return None
        return idx


@dataclass
class IdReport:
    """What is wrong between a file's ids and the expected set (first few of each, and counts)."""

    n_expected: int
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)  # id, first row, repeated row
    n_duplicated: int = 0
    unknown: list[tuple[str, int]] = field(default_factory=list)  # id, row
    n_unknown: int = 0
    missing: list[str] = field(default_factory=list)
    n_missing: int = 0
    first_row: int | None = None
    first_problem: str = ""

    @property
    def ok(self) -> bool:
        return not (self.n_duplicated or self.n_unknown or self.n_missing)


def find_duplicates(ids: Sequence[str]) -> IdReport:
    """Every id that repeats, with the row of its first appearance (no reference set)."""
    report = IdReport(n_expected=len(ids))
    first_seen: dict[str, int] = {}
    repeated: set[str] = set()
    for row, value in enumerate(ids):
        first = first_seen.setdefault(value, row)
        if first != row:
            _note_duplicate(report, repeated, value, first, row)
    return report


def _note_duplicate(report: IdReport, repeated: set[str], value: str, first: int, row: int) -> None:
    if value not in repeated:
        repeated.add(value)
        report.n_duplicated += 1
        if len(report.duplicates) < _SHOWN:
            report.duplicates.append((value, first, row))
    if report.first_row is None or row < report.first_row:
        report.first_row, report.first_problem = row, "duplicate"


def compare_ids(query: Sequence[str], expected: Sequence[str]) -> tuple[np.ndarray, IdReport]:
    """Exact comparison of `query` (one file's ids, in row order) with the unique ids `expected`.

    Returns `idx` (query row -> expected position, valid when the report is ok) and the report.
    """
    position = {value: i for i, value in enumerate(expected)}
    report = IdReport(n_expected=len(position))
    idx = np.zeros(len(query), dtype=np.int64)
    first_seen: dict[str, int] = {}
    repeated: set[str] = set()
    for row, value in enumerate(query):
        first = first_seen.setdefault(value, row)
        if first != row:
            _note_duplicate(report, repeated, value, first, row)
            continue
        pos = position.get(value)
        if pos is None:
            report.n_unknown += 1
            if len(report.unknown) < _SHOWN:
                report.unknown.append((value, row))
            if report.first_row is None or row < report.first_row:
                report.first_row, report.first_problem = row, "unknown"
        else:
            idx[row] = pos
    if len(first_seen) - report.n_unknown != len(position):
        for value in expected:
            if value not in first_seen:
                report.n_missing += 1
                if len(report.missing) < _SHOWN:
                    report.missing.append(value)
    return idx, report


def _groups(keys: np.ndarray, ids: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows sorted by (hash, row) and where each group of equal hashes starts; None on a collision.

    Every row whose hash equals an earlier row's is compared with that row's string, so a group is
    exactly one distinct id; if two different ids share a hash the caller falls back to dicts.
    """
    order = np.lexsort((np.arange(len(keys)), keys))
    sorted_keys = keys[order]
    starts = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])) if len(keys) else np.empty(0, dtype=bool)
    repeats = np.flatnonzero(~starts)
    if len(repeats):
        group_start = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
        same = pc.equal(ids.take(arrow_indices(order[repeats])), ids.take(arrow_indices(order[group_start[repeats]])))
        if not pc.all(same).as_py():
            return None
    return order, np.flatnonzero(starts)


def _duplicates_from_groups(report: IdReport, ids: pa.Array, order: np.ndarray, starts: np.ndarray) -> None:
    sizes = np.diff(np.append(starts, len(order)))
    repeated = starts[sizes > 1]
    report.n_duplicated = len(repeated)
    if not len(repeated):
        return
    firsts, seconds = order[repeated], order[repeated + 1]
    by_repeat = np.argsort(seconds, kind="stable")[:_SHOWN]
    report.duplicates = [(ids[int(seconds[i])].as_py(), int(firsts[i]), int(seconds[i])) for i in by_repeat]
    first_repeat = int(seconds.min())
    if report.first_row is None or first_repeat < report.first_row:
        report.first_row, report.first_problem = first_repeat, "duplicate"


def vector_report(index: IdIndex, query: pa.Array) -> IdReport | None:
    """The same report as `compare_ids`, computed with the hashes (seconds and gigabytes less on
    millions of rows); None when a hash collision leaves it unsure, so the exact path decides.

    1. Look each query hash up among the sorted reference hashes; confirm every hit on the strings.
    2. Group equal query ids (by hash, confirmed on the strings): a group's later rows are repeats;
       a group whose id is not in the reference is one unknown id, reported at its first row.
    3. Reference ids hit by no query row are missing, listed in reference order.
    """
    if not index.certainly_unique:
        return None
    n_query = len(query)
    report = IdReport(n_expected=index.n)
    keys = string_keys(query)
    ref = np.full(n_query, -1, dtype=np.int64)
    if index.n and n_query:
        pos = np.minimum(np.searchsorted(index.sorted_keys, keys), index.n - 1)
        hit = np.flatnonzero(index.sorted_keys[pos] == keys)
        ref[hit] = index.order[pos[hit]]
        same = pc.equal(query.take(arrow_indices(hit)), index.ids.take(arrow_indices(ref[hit])))
        if len(hit) and not pc.all(same).as_py():
            return None
    grouped = _groups(keys, query)
    if grouped is None:
        return None
    order, starts = grouped
    _duplicates_from_groups(report, query, order, starts)
    first_rows = np.sort(order[starts])
    unknown = first_rows[ref[first_rows] < 0]
    report.n_unknown = len(unknown)
    report.unknown = [(query[int(r)].as_py(), int(r)) for r in unknown[:_SHOWN]]
    if len(unknown) and (report.first_row is None or int(unknown[0]) < report.first_row):
        report.first_row, report.first_problem = int(unknown[0]), "unknown"
    seen = np.zeros(index.n, dtype=bool)
    seen[ref[ref >= 0]] = True
    missing = np.flatnonzero(~seen)
    report.n_missing = len(missing)
    report.missing = [index.ids[int(r)].as_py() for r in missing[:_SHOWN]]
    return report


def vector_duplicates(index: IdIndex) -> IdReport | None:
    """`find_duplicates` for the index's own ids, with the hashes; None if a collision leaves it unsure."""
    report = IdReport(n_expected=index.n)
    grouped = _groups(index.keys, index.ids)
    if grouped is None:
        return None
    _duplicates_from_groups(report, index.ids, *grouped)
    return report


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def id_error(
    report: IdReport,
    *,
    noun: str,
    side: Side,
    expectation: str,
    line_of: Callable[[int], int],
    unknown_phrase: str = "is not one of the ids to score",
) -> ScoringValidationError:
    """A one-line message: the first offending line (if any), then how many ids of each problem.

    `expectation` completes "…, but": e.g. "the file must list each of the 300 record_ids exactly once".
    """
    line = None
    lead = ""
    if report.first_row is not None:
        line = line_of(report.first_row)
        if report.first_problem == "duplicate":
            value, first, _ = next(d for d in report.duplicates if d[2] == report.first_row)
            lead = f"{noun} {show(value)} already appeared on line {line_of(first)}; "
        else:
            value, _ = next(u for u in report.unknown if u[1] == report.first_row)
            lead = f"{noun} {show(value)} {unknown_phrase}; "
    parts = []
    if report.n_duplicated:
        shown = ", ".join(f"{show(v)} on lines {line_of(a)} and {line_of(b)}" for v, a, b in report.duplicates)
        more = ", …" if report.n_duplicated > len(report.duplicates) else ""
        parts.append(f"{_plural(report.n_duplicated, 'is', 'are')} duplicated ({shown}{more})")
    if report.n_unknown:
        shown = ", ".join(f"{show(v)} on line {line_of(r)}" for v, r in report.unknown)
        more = ", …" if report.n_unknown > len(report.unknown) else ""
        parts.append(f"{_plural(report.n_unknown, 'is', 'are')} unknown ({shown}{more})")
    if report.n_missing:
        shown = ", ".join(show(v) for v in report.missing)
        more = ", …" if report.n_missing > len(report.missing) else ""
        parts.append(f"{_plural(report.n_missing, 'is', 'are')} missing ({shown}{more})")
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ScoringValidationError(f"{lead}{expectation}, but {joined}", line=line, side=side)


def require_unique(
    index: IdIndex, *, noun: str, side: Side, whole: str, line_of: Callable[[int], int] = lambda r: r + 2
) -> None:
    """Raise if an id repeats; `whole` names what must hold each id once (e.g. "the truth")."""
    if index.certainly_unique:
        return
    report = vector_duplicates(index) or find_duplicates(index.ids.to_pylist())
    if report.n_duplicated:
        raise id_error(
            report, noun=noun, side=side, expectation=f"{whole} must list each {noun} only once", line_of=line_of
        )


def match_or_raise(
    index: IdIndex,
    query: pa.Array,
    *,
    noun: str,
    side: Side = "submission",
    expectation: str | None = None,
    line_of: Callable[[int], int] = lambda r: r + 2,
    unknown_phrase: str | None = None,
) -> np.ndarray:
    """Positions of `query`'s ids among the index's (unique) ids, or a ScoringValidationError."""
    idx = index.match(query)
    if idx is not None:
        return idx
    report = vector_report(index, query)
    if report is None or report.ok:
        # A collision, or a match() that gave up for a reason the report does not see: be exact.
        idx, report = compare_ids(query.to_pylist(), index.ids.to_pylist())
        if report.ok:
            return idx
    raise id_error(
        report,
        noun=noun,
        side=side,
        expectation=expectation or f"the file must list each of the {index.n:,} {noun}s exactly once",
        line_of=line_of,
        unknown_phrase=unknown_phrase or f"is not one of the {noun}s to score",
    )
