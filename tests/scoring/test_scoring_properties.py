"""Property tests: whatever bytes arrive, a scorer returns a result or a clean refusal, quickly,
and the fast and slow parsers never disagree."""

from __future__ import annotations

import math
import os
from datetime import timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submissions.scoring import ScoringValidationError, get_scorer, matching, score_file
from submissions.scoring.csvio import _INT_PATTERN, FLOAT_RE, INT_RE, Column, parse_csv
from submissions.scoring.matching import IdIndex, string_keys

from .helpers import CASES

KINDS = ("detection", "hotspot", "network")
TRUTHS = {kind: (next(c for c in CASES if c.name == f"{kind}-edge") / "truth.csv").read_bytes() for kind in KINDS}
TRUTH_IDS = {kind: sorted({line.split(",")[0] for line in TRUTHS[kind].decode().splitlines()[1:]}) for kind in KINDS}
# The suite runs a fixed, fast sample; SCORING_FUZZ_EXAMPLES=5000 explores new random inputs for longer.
FUZZ = int(os.environ.get("SCORING_FUZZ_EXAMPLES", "0"))
BOUNDED = settings(
    max_examples=FUZZ or 200,
    deadline=timedelta(seconds=1),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not FUZZ,
    database=None,
)

NUMBER_TOKENS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "nan",
            "NaN",
            "-inf",
            "Infinity",
            "1e400",
            "-1e-400",
            "",
            " 1",
            "1 ",
            "0x1",
            "+.5",
            "5.",
            ".",
            "-0",
            "1_0",
            "١",
        ]
    ),
    st.text(alphabet="0123456789.eE+- ", max_size=8),
)
VALID_NUMBERS = st.sampled_from(
    ["0", "-0", "1e-3", ".5", "5.", "+2.5", "1E+300", "-1e-400", "007", "0.1000000000000000055511"]
)
ID_TOKENS_EXTRA = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=6)


def _quote(field: str, style: int) -> str:
    return '"' + field.replace('"', '""') + '"' if style == 1 else field


FAULTS = ("bad value", "blank line", "duplicate row", "dropped row", "extra field", "bad byte", "bare CR", "header")


@st.composite
def csv_files(draw: st.DrawFn, kind: str) -> bytes:
    """Files that look like submissions: many fully valid, others with one or many of the usual faults.

    Valid files vary in what the format allows: LF or CRLF, a BOM, quoting, the final newline,
    number spellings, row order. Faulty ones add what participants get wrong.
    """
    schema = get_scorer(kind).submission_schema
    mode = draw(st.sampled_from(["clean", "one fault", "messy"]))
    header = ",".join(c.name for c in schema)
    rows = [[row_id] for row_id in draw(st.permutations(TRUTH_IDS[kind]))]
    for fields in rows:
        for col in schema[1:]:
            if col.type == "float":
                fields.append(
                    draw(st.one_of(st.floats(allow_nan=False, allow_infinity=False).map(repr), VALID_NUMBERS))
                )
            else:
                fields.append(draw(st.integers(-(2**63), 2**63 - 1).map(str)))
    quoted = draw(st.integers(0, 4)) == 0
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    final = draw(st.sampled_from(["", newline]))
    bom = draw(st.booleans())
    if mode == "clean":
        faults = []
    elif mode == "one fault":
        faults = [draw(st.sampled_from(FAULTS))]
    else:
        faults = draw(st.lists(st.sampled_from(FAULTS), min_size=1, max_size=4))
    for fault in faults:
        row = draw(st.integers(0, len(rows) - 1))
        if fault == "bad value":
            rows[row][draw(st.integers(0, len(rows[row]) - 1))] = draw(st.one_of(NUMBER_TOKENS, ID_TOKENS_EXTRA))
        elif fault == "duplicate row":
            rows.append(list(rows[row]))
        elif fault == "dropped row":
            del rows[row]
        elif fault == "extra field":
            rows[row].append(draw(NUMBER_TOKENS))
        elif fault == "header":
            header = draw(st.sampled_from([header.upper(), header + ",extra", " " + header, header.replace(",", ";")]))
    lines = [",".join(_quote(f, 1 if quoted else 0) for f in fields) for fields in rows]
    if "blank line" in faults:
        lines.insert(draw(st.integers(0, len(lines))), "")
    text = newline.join([header, *lines]) + final
    if "bare CR" in faults:
        text = text.replace("\n", "\r", 1) if draw(st.booleans()) else text + "\r"
    data = text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    if "bad byte" in faults:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xe9", b"\xff\xfe", b"\xed\xa0\x80", b"\x00", b'"'])) + data[at:]
    return data


def outcome(data: bytes, schema: tuple[Column, ...], force_slow: bool) -> object:
    try:
        table = parse_csv(data, schema, force_slow=force_slow)
    except ScoringValidationError as exc:
        return ("error", exc.message, exc.line)
    values = []
    for col in schema:
        column = table[col.name]
        if col.type == "id":
            values.append(column.to_pylist())
        elif col.type == "float":
            values.append([(v, math.copysign(1.0, v)) for v in column.tolist()])
        else:
            values.append(column.tolist())
    return ("table", table.n_rows, values)


def check_result(result: dict) -> None:
    assert set(result) == {"public", "private"}
    for metrics in result.values():
        for value in metrics.values():
            assert value is None or (isinstance(value, float) and math.isfinite(value))


@BOUNDED
@given(kind=st.sampled_from(KINDS), data=st.binary(max_size=3000))
def test_arbitrary_bytes_are_scored_or_refused_cleanly(kind: str, data: bytes) -> None:
    try:
        check_result(score_file(kind, TRUTHS[kind], data))
    except ScoringValidationError as exc:
        assert exc.side == "submission" and "\n" not in exc.message


@BOUNDED
@given(st.data())
def test_csv_like_submissions_are_scored_or_refused_cleanly(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(KINDS))
    submission = data.draw(csv_files(kind))
    try:
        check_result(score_file(kind, TRUTHS[kind], submission))
    except ScoringValidationError as exc:
        assert exc.side == "submission" and "\n" not in exc.message


@BOUNDED
@given(st.data())
def test_the_fast_and_slow_parsers_agree_on_csv_like_files(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(KINDS))
    submission = data.draw(csv_files(kind))
    schema = get_scorer(kind).submission_schema
    assert outcome(submission, schema, force_slow=False) == outcome(submission, schema, force_slow=True)


@BOUNDED
@given(kind=st.sampled_from(KINDS), data=st.binary(max_size=600))
def test_the_fast_and_slow_parsers_agree_on_arbitrary_bytes_after_a_good_header(kind: str, data: bytes) -> None:
    schema = get_scorer(kind).submission_schema
    submission = (",".join(c.name for c in schema) + "\n").encode() + data
    assert outcome(submission, schema, force_slow=False) == outcome(submission, schema, force_slow=True)


@BOUNDED
@given(st.data())
def test_truth_files_are_accepted_or_refused_cleanly(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(KINDS))
    lines = TRUTHS[kind].decode().splitlines()
    mutated = list(lines)
    for _ in range(data.draw(st.integers(0, 3))):
        row = data.draw(st.integers(1, len(mutated) - 1))
        fields = mutated[row].split(",")
        col = data.draw(st.integers(0, len(fields) - 1))
        fields[col] = data.draw(st.one_of(NUMBER_TOKENS, ID_TOKENS_EXTRA, st.sampled_from(["public", "broker", "0"])))
        mutated[row] = ",".join(fields)
    truth = ("\n".join(mutated) + "\n").encode()
    schema = get_scorer(kind).truth_schema
    assert outcome(truth, schema, force_slow=False) == outcome(truth, schema, force_slow=True)
    try:
        get_scorer(kind).validate_truth(truth)
    except ScoringValidationError as exc:
        assert exc.side == "truth"


@settings(max_examples=max(FUZZ, 300), deadline=None, derandomize=not FUZZ, database=None)
@given(st.text(alphabet="0123456789.eE+-naifINFxX_ ", max_size=10))
def test_arrow_number_parsing_accepts_nothing_the_grammar_refuses(text: str) -> None:
    # The fast path relies on arrow's float cast being at least as strict as FLOAT_RE, and on
    # its integer cast (which alone would take "0x10") combined with the INT_RE check.
    try:
        value = pc.cast(pa.array([text]), pa.float64())[0].as_py()
    except pa.ArrowException:
        value = None
    if value is not None and math.isfinite(value):
        assert FLOAT_RE.fullmatch(text) and float(text) == value
    try:
        integer = pc.cast(pa.array([text]), pa.int64())[0].as_py()
    except pa.ArrowException:
        integer = None
    if integer is not None and pc.match_substring_regex(pa.array([text]), _INT_PATTERN)[0].as_py():
        assert INT_RE.fullmatch(text) and int(text) == integer


@settings(max_examples=FUZZ or 100, deadline=timedelta(seconds=1), derandomize=not FUZZ, database=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=300, unique=True), st.randoms())
def test_id_matching_finds_the_permutation_of_any_unique_strings(ids: list[str], rnd) -> None:
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    index = IdIndex(pa.array(ids, type=pa.string()))
    assert index.certainly_unique
    idx = index.match(pa.array(shuffled, type=pa.string()))
    assert idx is not None
    assert [ids[i] for i in idx] == shuffled
    # Keys depend on the string only, not on its position or its neighbours.
    whole = string_keys(pa.array(ids, type=pa.string()))
    assert all(string_keys(pa.array([s], type=pa.string()))[0] == whole[i] for i, s in enumerate(ids[:20]))
    assert np.unique(whole).size == len(ids)


ID_POOL = st.text(alphabet="ab\u00e9\u4e2d0", min_size=1, max_size=9)


@settings(max_examples=FUZZ or 200, deadline=timedelta(seconds=1), derandomize=not FUZZ, database=None)
@given(
    expected=st.lists(ID_POOL, max_size=40, unique=True),
    query=st.lists(ID_POOL, max_size=50),
    weak_hash=st.booleans(),
)
def test_the_vectorised_id_report_equals_the_exact_one(expected: list[str], query: list[str], weak_hash: bool) -> None:
    # With a weak hash (the length) most ids collide: the vectorised report must then step aside.
    keys = (lambda ids: np.array([len(s) for s in ids.to_pylist()], dtype=np.uint64)) if weak_hash else string_keys
    original = matching.string_keys
    matching.string_keys = keys
    try:
        index = IdIndex(pa.array(expected, type=pa.string()))
        report = matching.vector_report(index, pa.array(query, type=pa.string()))
        duplicates = matching.vector_duplicates(IdIndex(pa.array(query, type=pa.string())))
    finally:
        matching.string_keys = original
    _, exact = matching.compare_ids(query, expected)
    if report is not None:
        assert report == exact
    if duplicates is not None:
        assert duplicates == matching.find_duplicates(query)
    if not weak_hash:
        assert report is not None and duplicates is not None


@settings(max_examples=FUZZ or 100, deadline=timedelta(seconds=1), derandomize=not FUZZ, database=None)
@given(expected=st.lists(ID_POOL, min_size=1, max_size=40, unique=True), data=st.data())
def test_id_errors_are_exact_even_when_every_hash_collides(expected: list[str], data: st.DataObject) -> None:
    query = data.draw(st.lists(st.one_of(st.sampled_from(expected), ID_POOL), max_size=50))
    original = matching.string_keys
    matching.string_keys = lambda ids: np.zeros(len(ids), dtype=np.uint64)
    try:
        index = IdIndex(pa.array(expected, type=pa.string()))
        try:
            idx = matching.match_or_raise(index, pa.array(query, type=pa.string()), noun="id")
            outcome = ("ok", [expected[i] for i in idx])
        except ScoringValidationError as exc:
            outcome = ("error", exc.message)
    finally:
        matching.string_keys = original
    exact_idx, report = matching.compare_ids(query, expected)
    if report.ok:
        assert outcome == ("ok", query)
    else:
        expectation = f"the file must list each of the {len(expected):,} ids exactly once"
        error = matching.id_error(
            report,
            noun="id",
            side="submission",
            expectation=expectation,
            line_of=lambda r: r + 2,
            unknown_phrase="is not one of the ids to score",
        )
        assert outcome == ("error", error.message)
