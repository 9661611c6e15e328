"""Strict CSV parsing for truth and submission files: a fast pyarrow path and an exact slow path.

The contract (scoring.md, "Common rules"): UTF-8 with an optional BOM, `,` separator, LF or CRLF
line ends, an exact header, no blank line except one final newline, one record per line. Fields
may be enclosed in double quotes (with `""` for a quote inside); a quoted field cannot span lines,
so row i of the data is always on line i + 2 of the file.

`_parse_slow` is the reference: a line-by-line reader that stops at the first problem and names
its line. `_parse_fast` reads with pyarrow and, whenever anything looks unusual (a quote, a bare
CR, invalid UTF-8, an arrow parse error, an empty id, a value out of its domain), hands the whole
file to `_parse_slow`, so the two paths cannot disagree about what is an error or what it says.
"""

from __future__ import annotations

import array
import codecs
import math
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import ScoringValidationError, Side, problem_text, show

ColumnType = Literal["id", "float", "int", "count", "choice"]

BOM = codecs.BOM_UTF8
# A decimal number: optional sign, digits with an optional point (or a point and digits), optional
# exponent. ASCII digits only: Python's float() also takes "1_000", " 1" and Arabic-Indic digits.
FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
INT_RE = re.compile(r"-?[0-9]+")
_INT_PATTERN = r"^-?[0-9]+$"  # INT_RE for arrow's RE2
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_UTF8_CHECK_CHUNK = 4 * 1024 * 1024
_SLOW_BATCH = 65536
_TYPECODES = {"float": "d", "int": "q", "count": "q", "choice": "b"}
_DTYPES = {"float": np.float64, "int": np.int64, "count": np.int64, "choice": np.int8}
# Bodies are parsed in up to _MAX_PIECES pieces of at least _MIN_PIECE_BYTES, one per core.
_MAX_PIECES = 4
_MIN_PIECE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    """One column of a file: its exact header name and the kind of value it holds.

    id: a non-empty string, compared exactly; float: a finite decimal number; int: a 64-bit
    integer; count: an integer >= 0; choice: one of `choices` (stored as its index).
    """

    name: str
    type: ColumnType
    choices: tuple[str, ...] = ()


@dataclass
class Table:
    """Parsed columns: ids as a pyarrow string array, numbers as numpy arrays, choices as int8 codes.

    Data row i (0-based) is always on line i + 2 of the file: the header is line 1, blank lines are
    refused and a quoted field cannot span lines.
    """

    schema: tuple[Column, ...]
    columns: dict[str, Any]
    n_rows: int
    path: Literal["fast", "slow", "empty"] = "fast"
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.columns[name]


def header_text(schema: Sequence[Column]) -> str:
    return ",".join(c.name for c in schema)


def parse_csv(
    data: bytes | bytearray, schema: Sequence[Column], *, side: Side = "submission", force_slow: bool = False
) -> Table:
    """Parse and validate a whole CSV file held in memory.

    1. Refuse an empty file; skip a UTF-8 BOM.
    2. Check the header (line 1) against `schema`, exactly and in order.
    3. Parse the rows with the fast path, which falls back to the slow path on anything unusual;
       `force_slow` runs the slow path directly (used by tests to compare the two).
    """
    schema = tuple(schema)
    start = len(BOM) if data[: len(BOM)] == BOM else 0
    if len(data) <= start:
        raise ScoringValidationError.of("empty_file", side=side)
    nl = data.find(b"\n", start)
    header_end = len(data) if nl == -1 else nl
    _check_header(bytes(data[start:header_end]), nl != -1, schema, side)
    body = len(data) if nl == -1 else nl + 1
    if body >= len(data):
        return _empty_table(schema)
    if force_slow or len(schema) < 2:
        # With one column a blank line would be read by arrow as one empty value, so only the slow
        # path can tell it apart; no built-in kind has a single column.
        return _parse_slow(data, body, schema, side)
    return _parse_fast(data, body, schema, side)


def _check_header(raw: bytes, terminated: bool, schema: tuple[Column, ...], side: Side) -> None:
    expected = [c.name for c in schema]
    try:
        found = split_line(raw, terminated)
    except _LineProblem:
        found = None
    if found != expected:
        shown = raw.decode("utf-8", errors="replace")
        if terminated and shown.endswith("\r"):
            shown = shown[:-1]
        raise ScoringValidationError.of(
            "header", line=1, side=side, expected=repr(header_text(schema)), found=show(shown)
        )


def _empty_table(schema: tuple[Column, ...]) -> Table:
    cols: dict[str, Any] = {}
    for col in schema:
        cols[col.name] = _empty_column(col)
    return Table(schema, cols, 0, path="empty")


def _empty_column(col: Column) -> Any:
    if col.type == "id":
        return pa.array([], type=pa.string())
    if col.type == "float":
        return np.empty(0, dtype=np.float64)
    if col.type in ("int", "count"):
        return np.empty(0, dtype=np.int64)
    return np.empty(0, dtype=np.int8)


# --- the slow, exact path ---------------------------------------------------------------------


class _LineProblem(Exception):
    """A problem with one line, before the line number is attached: a code of PROBLEMS and its parameters."""

    def __init__(self, code: str, **params) -> None:
        self.code = code
        self.params = params
        super().__init__(problem_text(code, params))


def split_line(raw: bytes | bytearray, terminated: bool) -> list[str]:
    """Split one line (without its LF) into fields, or raise _LineProblem saying what is wrong."""
    if terminated and raw.endswith(b"\r"):
        raw = raw[:-1]
    if b"\r" in raw:
        raise _LineProblem("stray_cr")
    if not raw:
        raise _LineProblem("blank_line")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _LineProblem("not_utf8", byte=f"{raw[exc.start]:02x}", position=exc.start + 1)
    if '"' not in text:
        return text.split(",")
    return _split_quoted(text)


def _split_quoted(text: str) -> list[str]:
    fields: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            parts: list[str] = []
            j = i + 1
            while True:
                k = text.find('"', j)
                if k == -1:
                    raise _LineProblem("unclosed_quote")
                parts.append(text[j:k])
                if k + 1 < n and text[k + 1] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                break
            fields.append("".join(parts))
            i = k + 1
            if i == n:
                return fields
            if text[i] != ",":
                raise _LineProblem("quote_then_text")
            i += 1
        else:
            k = text.find(",", i)
            end = n if k == -1 else k
            value = text[i:end]
            if '"' in value:
                raise _LineProblem("stray_quote")
            fields.append(value)
            if k == -1:
                return fields
            i = k + 1


def convert_value(col: Column, value: str) -> Any:
    """Convert one field per its column type, or raise _LineProblem with a participant-facing reason."""
    if col.type == "id":
        if not value:
            raise _LineProblem("empty_value", column=col.name)
        return value
    if value == "":
        raise _LineProblem("empty_value", column=col.name)
    if col.type == "float":
        if not FLOAT_RE.fullmatch(value):
            if value.lower() in _NOT_FINITE:
                raise _LineProblem("not_finite", column=col.name, value=show(value))
            raise _LineProblem("not_number", column=col.name, value=show(value))
        number = float(value)
        if not math.isfinite(number):
            raise _LineProblem("too_large_number", column=col.name, value=show(value))
        return number
    if col.type in ("int", "count"):
        if not INT_RE.fullmatch(value):
            raise _LineProblem("not_whole" if col.type == "int" else "not_count", column=col.name, value=show(value))
        number = int(value)
        if number < _INT64_MIN or number > _INT64_MAX:
            raise _LineProblem("out_of_range", column=col.name, value=show(value))
        if col.type == "count" and number < 0:
            raise _LineProblem("negative", column=col.name, value=show(value))
        return number
    try:
        return col.choices.index(value)
    except ValueError:
        raise _LineProblem("not_a_choice", column=col.name, value=show(value), choices=", ".join(col.choices))


def _parse_slow(data: bytes | bytearray, body: int, schema: tuple[Column, ...], side: Side) -> Table:
    """Read the rows one line at a time, stopping at the first problem with its line number.

    Values are moved out of Python objects every _SLOW_BATCH rows (ids into arrow arrays, numbers
    into typed arrays), so that millions of rows do not cost a Python object each.
    """
    names = header_text(schema)
    ncols = len(schema)
    pending: list[list[Any]] = [[] for _ in schema]
    id_chunks: list[list[pa.Array]] = [[] for _ in schema]
    numbers = [array.array(_TYPECODES.get(col.type, "b")) for col in schema]

    def flush() -> None:
        for col, out, chunks, typed in zip(schema, pending, id_chunks, numbers, strict=True):
            if col.type == "id":
                chunks.append(pa.array(out, type=pa.string()))
            else:
                typed.extend(out)
            out.clear()

    line_no = 1
    pos, end = body, len(data)
    while pos < end:
        line_no += 1
        nl = data.find(b"\n", pos)
        if nl == -1:
            raw, terminated, pos = data[pos:], False, end
        else:
            raw, terminated, pos = data[pos:nl], True, nl + 1
        try:
            fields = split_line(raw, terminated)
            if len(fields) != ncols:
                raise _LineProblem("field_count", expected=ncols, names=names, found=len(fields))
            for col, value, out in zip(schema, fields, pending, strict=True):
                out.append(convert_value(col, value))
        except _LineProblem as exc:
            raise ScoringValidationError.of(exc.code, line=line_no, side=side, **exc.params)
        if len(pending[0]) >= _SLOW_BATCH:
            flush()
    flush()
    columns: dict[str, Any] = {}
    for col, chunks, typed in zip(schema, id_chunks, numbers, strict=True):
        if col.type == "id":
            columns[col.name] = pa.concat_arrays(chunks) if chunks else pa.array([], type=pa.string())
        else:
            columns[col.name] = np.frombuffer(typed, dtype=_DTYPES[col.type]).copy()
    return Table(schema, columns, line_no - 1, path="slow")


# --- the fast path ------------------------------------------------------------------------------


class _Unusual(Exception):
    """Something the fast path does not handle itself; the slow path will decide."""


def _is_utf8(data: bytes | bytearray, start: int) -> bool:
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for pos in range(start, len(data), _UTF8_CHECK_CHUNK):
            decoder.decode(view[pos : pos + _UTF8_CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _arrow_type(col: Column) -> pa.DataType:
    # Numbers are read as text and cast afterwards: arrow's CSV number conversion skips spaces
    # around a value (" 1" reads as 1), while its cast is at least as strict as FLOAT_RE / INT_RE.
    if col.type == "choice":
        return pa.dictionary(pa.int32(), pa.string())
    return pa.string()


def _parse_fast(data: bytes | bytearray, body: int, schema: tuple[Column, ...], side: Side) -> Table:
    try:
        if data.find(b'"', body) != -1:
            raise _Unusual("quotes")
        if data.count(b"\r", body) != data.count(b"\r\n", body):
            raise _Unusual("bare CR")
        if not _is_utf8(data, body):
            raise _Unusual("not UTF-8")
        table = _read_arrow(data, body, schema)
        columns = {col.name: _fast_column(col, table.column(col.name)) for col in schema}
    except (_Unusual, pa.ArrowException, ValueError):
        return _parse_slow(data, body, schema, side)
    finally:
        # The CSV reader's scratch blocks stay cached in arrow's allocator unless handed back.
        pa.default_memory_pool().release_unused()
    return Table(schema, columns, table.num_rows, path="fast")


def _read_arrow(data: bytes | bytearray, body: int, schema: tuple[Column, ...]) -> pa.Table:
    """Read the rows with pyarrow, in a few line-aligned pieces on Python threads.

    Arrow's own reader threads (use_threads=True) live in a global pool that now and then aborts
    the interpreter at exit ("terminate called without an active exception", apache/arrow#34314),
    which would turn a good scoring run into a crash. Python threads are joined here instead;
    arrow releases the GIL while parsing, so the pieces still run on all cores.
    """
    buffer = pa.py_buffer(data)
    ranges = _pieces(data, body)
    if len(ranges) == 1:
        return _read_piece(buffer, ranges[0], schema)
    with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
        tables = list(pool.map(lambda r: _read_piece(buffer, r, schema), ranges))
    return pa.concat_tables(tables)


def _pieces(data: bytes | bytearray, body: int) -> list[tuple[int, int]]:
    size = len(data) - body
    parts = max(1, min(_MAX_PIECES, os.cpu_count() or 1, size // _MIN_PIECE_BYTES))
    bounds = [body]
    for i in range(1, parts):
        nl = data.find(b"\n", body + i * size // parts)
        if nl == -1 or nl + 1 >= len(data):
            break
        if nl + 1 > bounds[-1]:
            bounds.append(nl + 1)
    bounds.append(len(data))
    return list(zip(bounds[:-1], bounds[1:], strict=False))


def _read_piece(buffer: pa.Buffer, piece: tuple[int, int], schema: tuple[Column, ...]) -> pa.Table:
    names = [c.name for c in schema]
    start, end = piece
    return pacsv.read_csv(
        pa.BufferReader(buffer.slice(start, end - start)),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
        parse_options=pacsv.ParseOptions(
            delimiter=",",
            quote_char=False,
            double_quote=False,
            escape_char=False,
            newlines_in_values=False,
            ignore_empty_lines=False,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c.name: _arrow_type(c) for c in schema},
            null_values=[],
            true_values=[],
            false_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=True,
        ),
    )


def _fast_column(col: Column, chunked: pa.ChunkedArray) -> Any:
    if col.type == "id":
        ids = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
        if len(ids) and pc.min(pc.binary_length(ids)).as_py() == 0:
            raise _Unusual("empty id")
        return ids
    if col.type == "float":
        values = _to_numpy(chunked, pa.float64(), np.float64)
        if not np.isfinite(values).all():
            raise _Unusual("not finite")
        return values
    if col.type in ("int", "count"):
        # Arrow's cast also reads "0x10" as 16; the grammar has to be checked on the text.
        for chunk in chunked.chunks:
            if not pc.all(pc.match_substring_regex(chunk, _INT_PATTERN)).as_py():
                raise _Unusual("not an integer")
        values = _to_numpy(chunked, pa.int64(), np.int64)
        if col.type == "count" and len(values) and values.min() < 0:
            raise _Unusual("negative count")
        return values
    parts = []
    for chunk in chunked.chunks:
        lookup = np.array([_choice_code(col, v) for v in chunk.dictionary.to_pylist()], dtype=np.int8)
        if (lookup < 0).any():
            raise _Unusual("unknown choice")
        indices = _primitive(chunk.indices, np.int32)
        parts.append(lookup[indices] if len(lookup) else np.empty(0, dtype=np.int8))
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int8)


def _to_numpy(chunked: pa.ChunkedArray, arrow_type: pa.DataType, dtype: type[np.generic]) -> np.ndarray:
    parts = [_primitive(pc.cast(chunk, arrow_type), dtype) for chunk in chunked.chunks]
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def _primitive(array: pa.Array, dtype: type[np.generic]) -> np.ndarray:
    """Zero-copy view of a null-free primitive arrow array (Array.to_numpy would import pandas)."""
    if array.null_count:
        raise _Unusual("null values")
    itemsize = np.dtype(dtype).itemsize
    if array.type.bit_width != itemsize * 8:
        raise _Unusual("unexpected arrow type")
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * itemsize)


def _choice_code(col: Column, value: str) -> int:
    try:
        return col.choices.index(value)
    except ValueError:
        return -1
