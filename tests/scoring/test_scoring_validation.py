"""What the scorers refuse, and the messages participants see (line numbers, counts, first ids)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from submissions.scoring import ScoringValidationError, get_scorer, score_file, validate_truth
from submissions.scoring.csvio import parse_csv

from .helpers import CASES, INVALID, TRUTH_FOR_INVALID, assert_close, csv_bytes, expected_of

DETECTION = get_scorer("detection")
DETECTION_1 = next(c for c in CASES if c.name == "detection-1")
TRUTH_1 = (DETECTION_1 / "truth.csv").read_bytes()
SUBMISSION_1 = (DETECTION_1 / "submission.csv").read_bytes()
SUB_LINES = SUBMISSION_1.decode().splitlines()


def refuse(submission: bytes | Path, truth: bytes | Path = TRUTH_1, kind: str = "detection") -> ScoringValidationError:
    with pytest.raises(ScoringValidationError) as info:
        score_file(kind, truth, submission)
    return info.value


def with_line(lines: list[str], number: int, text: str) -> bytes:
    """The submission with file line `number` (1-based, header = 1) replaced by `text`."""
    changed = list(lines)
    changed[number - 1] = text
    return ("\n".join(changed) + "\n").encode()


# --- the invalid vectors ---------------------------------------------------------------------------

INVALID_EXPECTATIONS = [
    ("bad-header.csv", 1, "the header must be exactly 'record_id,score', found 'id,score'"),
    ("duplicate-id.csv", 302, "record_id 'r000063' already appeared on line 6"),
    ("nan-score.csv", 11, "score 'nan' is not a finite number"),
    ("text-score.csv", 21, "score 'high' is not a number"),
    ("empty-score.csv", 31, "score is empty"),
    ("extra-column.csv", 41, "expected 2 fields (record_id,score) but found 3"),
    ("latin1.csv", 2, "not valid UTF-8"),
    ("unknown-id.csv", 302, "record_id 'zzz-not-a-record' is not one of the record_ids to score"),
    ("missing-id.csv", None, "3 are missing"),
    ("empty-file.csv", None, "the file is empty"),
    ("not-gzip.csv.gz", None, "ends in .gz but its content is not gzip-compressed"),
    ("bomb.csv.gz", None, "once decompressed, the file is larger than the limit of 200 MiB"),
]


@pytest.mark.parametrize(("name", "line", "fragment"), INVALID_EXPECTATIONS, ids=[e[0] for e in INVALID_EXPECTATIONS])
def test_it_names_the_line_and_the_problem_of_each_invalid_vector(name: str, line: int | None, fragment: str) -> None:
    error = score_file_error(INVALID / name)
    assert error.line == line
    assert fragment in error.problem
    assert str(error) == error.message == (f"line {line}: {error.problem}" if line else error.problem)
    assert error.side == "submission"


def score_file_error(path: Path) -> ScoringValidationError:
    with pytest.raises(ScoringValidationError) as info:
        score_file("detection", TRUTH_FOR_INVALID, path)
    return info.value


def test_it_rejects_a_duplicate_id_saying_which_line_it_repeats() -> None:
    error = score_file_error(INVALID / "duplicate-id.csv")
    assert error.message == (
        "line 302: record_id 'r000063' already appeared on line 6; the file must list each of the 300 "
        "record_ids exactly once, but 1 is duplicated ('r000063' on lines 6 and 302)"
    )


def test_it_lists_the_first_missing_ids_in_truth_order() -> None:
    truth_ids = [line.split(",")[0] for line in TRUTH_FOR_INVALID.read_text().splitlines()[1:]]
    present = {line.split(",")[0] for line in (INVALID / "missing-id.csv").read_text().splitlines()[1:]}
    missing = [i for i in truth_ids if i not in present]
    error = score_file_error(INVALID / "missing-id.csv")
    assert len(missing) == 3
    assert error.message == (
        "the file must list each of the 300 record_ids exactly once, but 3 are missing ("
        + ", ".join(repr(m) for m in missing)
        + ")"
    )


def test_it_counts_every_kind_of_id_mismatch_and_shows_the_first_few() -> None:
    lines = list(SUB_LINES)
    rows = lines[1:]
    # rows 0..4 repeated at the end (5 duplicated ids), 4 unknown ids, and the rows 10..13 dropped (4 missing).
    kept = rows[:10] + rows[14:]
    extra = rows[:5] + [f"ghost{i},0.5" for i in range(4)]
    error = refuse(csv_bytes(lines[0], kept + extra))
    first_repeat_line = 2 + len(kept)
    assert error.line == first_repeat_line
    assert "5 are duplicated (" in error.problem and ", …)" in error.problem
    assert "4 are unknown ('ghost0' on line" in error.problem
    assert "4 are missing (" in error.problem
    assert error.problem.count("'ghost") == 3  # only the first few are shown


def test_it_reports_the_earliest_problem_line_first() -> None:
    rows = SUB_LINES[1:]
    body = [rows[0], "stranger,0.1", *rows[1:], rows[0]]
    error = refuse(csv_bytes(SUB_LINES[0], body))
    assert error.line == 3
    assert error.problem.startswith("record_id 'stranger' is not one of the record_ids to score")


def test_it_treats_a_header_only_submission_as_missing_every_id() -> None:
    error = refuse(csv_bytes("record_id,score", []))
    assert error.line is None
    assert "but 300 are missing" in error.problem


# --- format rules ---------------------------------------------------------------------------------


def test_it_accepts_crlf_line_ends_a_bom_and_no_final_newline() -> None:
    expected = expected_of(DETECTION_1)
    crlf = b"\xef\xbb\xbf" + SUBMISSION_1.replace(b"\n", b"\r\n").rstrip(b"\r\n")
    assert_close(expected, score_file("detection", TRUTH_1, crlf))
    mixed = SUBMISSION_1.replace(b"\n", b"\r\n", 7)
    assert_close(expected, score_file("detection", TRUTH_1.replace(b"\n", b"\r\n"), mixed))


def test_it_accepts_quoted_fields() -> None:
    quoted = "\n".join([SUB_LINES[0]] + ['"{}","{}"'.format(*line.split(",")) for line in SUB_LINES[1:]]) + "\n"
    assert_close(expected_of(DETECTION_1), score_file("detection", TRUTH_1, quoted.encode()))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('"r000166,0.5', "a quoted field is not closed"),
        ('"r000166"x,0.5', "a closing double quote must be followed by a comma"),
        ('r0"00166,0.5', "a double quote may only appear in a field enclosed in double quotes"),
    ],
)
def test_it_rejects_badly_quoted_fields(text: str, fragment: str) -> None:
    error = refuse(with_line(SUB_LINES, 5, text))
    assert error.line == 5 and fragment in error.problem


def test_it_rejects_a_blank_line_in_the_middle() -> None:
    lines = list(SUB_LINES)
    lines.insert(9, "")
    error = refuse(("\n".join(lines) + "\n").encode())
    assert error.line == 10 and "blank" in error.problem


def test_it_rejects_a_blank_line_after_the_final_newline() -> None:
    error = refuse(SUBMISSION_1 + b"\r\n")
    assert error.line == len(SUB_LINES) + 1 and "blank" in error.problem


def test_it_rejects_a_bare_carriage_return() -> None:
    error = refuse(SUBMISSION_1.replace(b"\n", b"\r", 4).replace(b"\r", b"\n", 3))
    assert error.line == 4 and "carriage return" in error.problem


def test_it_rejects_a_line_with_too_few_fields() -> None:
    error = refuse(with_line(SUB_LINES, 7, "r000166"))
    assert error.message == "line 7: expected 2 fields (record_id,score) but found 1"


def test_it_rejects_an_empty_id() -> None:
    error = refuse(with_line(SUB_LINES, 8, ",0.5"))
    assert error.message == "line 8: record_id is empty"


def test_it_compares_ids_exactly_without_trimming_or_case_folding() -> None:
    first_id = SUB_LINES[1].split(",")[0]
    for variant in (f" {first_id}", f"{first_id} ", first_id.upper()):
        error = refuse(with_line(SUB_LINES, 2, f"{variant},0.5"))
        assert error.line == 2 and "is not one of the record_ids" in error.problem


@pytest.mark.parametrize("score", ["1e-3", ".5", "5.", "-0", "+2.5", "1E+300", "0.1000000000000000055511151231257827"])
def test_it_accepts_decimal_numbers(score: str) -> None:
    result = score_file("detection", TRUTH_1, with_line(SUB_LINES, 2, f"{SUB_LINES[1].split(',')[0]},{score}"))
    assert result["public"]["average_precision"] is not None


@pytest.mark.parametrize(
    ("score", "fragment"),
    [
        ("nan", "is not a finite number"),
        ("-inf", "is not a finite number"),
        ("Infinity", "is not a finite number"),
        ("1e400", "is not a finite number"),
        ("0x10", "is not a number"),
        ("1_000", "is not a number"),
        (" 1", "is not a number"),
        ("1 ", "is not a number"),
        ("\u0661", "is not a number"),
        ("1,5", "expected 2 fields"),
        ("", "score is empty"),
    ],
)
def test_it_rejects_scores_that_are_not_finite_decimal_numbers(score: str, fragment: str) -> None:
    error = refuse(with_line(SUB_LINES, 12, f"{SUB_LINES[11].split(',')[0]},{score}"))
    assert error.line == 12 and fragment in error.problem


def test_it_shows_long_or_odd_values_on_one_short_line() -> None:
    error = refuse(with_line(SUB_LINES, 3, f"{SUB_LINES[2].split(',')[0]},{'x' * 5000}\tz"))
    assert len(error.message) < 200 and "\n" not in error.message


# --- compression ------------------------------------------------------------------------------------


def test_it_recognises_gzip_by_its_content_not_its_name() -> None:
    assert_close(expected_of(DETECTION_1), score_file("detection", TRUTH_1, gzip.compress(SUBMISSION_1)))


def test_it_rejects_truncated_gzip_data(tmp_path: Path) -> None:
    path = tmp_path / "submission.csv.gz"
    path.write_bytes(gzip.compress(SUBMISSION_1)[:-20])
    assert "corrupt or truncated" in refuse(path).message


def test_it_accepts_gzip_files_of_several_members(tmp_path: Path) -> None:
    half = len(SUBMISSION_1) // 2
    cut = SUBMISSION_1.index(b"\n", half) + 1
    path = tmp_path / "submission.csv.gz"
    path.write_bytes(gzip.compress(SUBMISSION_1[:cut]) + gzip.compress(SUBMISSION_1[cut:]))
    assert_close(expected_of(DETECTION_1), score_file("detection", TRUTH_1, path))


# --- truth files ------------------------------------------------------------------------------------


def truth_error(kind: str, truth: bytes) -> ScoringValidationError:
    with pytest.raises(ScoringValidationError) as info:
        validate_truth(kind, truth)
    assert info.value.side == "truth"
    return info.value


def test_it_blames_the_truth_file_for_a_bad_label() -> None:
    error = truth_error("detection", csv_bytes("record_id,label,split", ["a,1,public", "b,yes,private"]))
    assert error.message == "line 3: label 'yes' must be one of: 0, 1"


def test_it_checks_the_truth_before_the_submission() -> None:
    truth = csv_bytes("record_id,label,split", ["a,1,public", "b,0,test"])
    with pytest.raises(ScoringValidationError) as info:
        score_file("detection", truth, b"nonsense")
    assert info.value.side == "truth" and info.value.message == "line 3: split 'test' must be one of: public, private"


def test_it_rejects_a_truth_listing_an_id_twice() -> None:
    error = truth_error("detection", csv_bytes("record_id,label,split", ["a,1,public", "b,0,public", "a,0,private"]))
    assert error.line == 4 and "already appeared on line 2" in error.problem and "the truth must list" in error.problem


def test_it_rejects_a_truth_without_rows() -> None:
    assert (
        truth_error("network", csv_bytes("node_id,ring_id,role,split", [])).message == "the truth file has no data rows"
    )


def test_it_rejects_a_hotspot_truth_whose_splits_cover_different_cells() -> None:
    rows = ["c1,public,0", "c2,public,3", "c1,private,1", "c3,private,2"]
    error = truth_error("hotspot", csv_bytes("cell_id,split,count", rows))
    assert error.line == 5
    assert "cell_id 'c3' is not listed for split 'public'" in error.problem
    assert "split 'private' must list each of the 2 cell_ids of split 'public' exactly once" in error.problem
    assert "1 is unknown" in error.problem and "1 is missing ('c2')" in error.problem


def test_it_rejects_a_hotspot_truth_listing_a_cell_twice_in_a_split() -> None:
    error = truth_error("hotspot", csv_bytes("cell_id,split,count", ["c1,public,0", "c1,public,3"]))
    assert error.line == 3 and "split 'public' must list each cell_id only once" in error.problem


@pytest.mark.parametrize(("count", "fragment"), [("-1", "must be 0 or more"), ("1.5", "is not a whole number")])
def test_it_rejects_hotspot_counts_that_are_not_whole_numbers_of_zero_or_more(count: str, fragment: str) -> None:
    error = truth_error("hotspot", csv_bytes("cell_id,split,count", ["c1,public,0", f"c2,public,{count}"]))
    assert error.line == 3 and fragment in error.problem


def test_it_rejects_an_unknown_network_role_and_a_non_integer_ring() -> None:
    header = "node_id,ring_id,role,split"
    assert (
        "role 'boss' must be one of: none, member, controller, broker"
        in truth_error("network", csv_bytes(header, ["a,1,boss,public"])).message
    )
    assert truth_error("network", csv_bytes(header, ["a,r1,member,public"])).message == (
        "line 2: ring_id 'r1' is not a whole number"
    )
    assert (
        "is out of range" in truth_error("network", csv_bytes(header, ["a,99999999999999999999,member,public"])).message
    )


@pytest.mark.parametrize("value", ["0x10", "0X0", "+5", " 5", "5 ", "1e3", "5.0", "\u0665"])
def test_it_rejects_integers_in_other_spellings_on_both_paths(value: str) -> None:
    case = next(c for c in CASES if c.name == "network-1")
    lines = (case / "submission.csv").read_text().splitlines()
    node = lines[4].split(",")
    lines[4] = f"{node[0]},{value},{node[2]}"
    data = ("\n".join(lines) + "\n").encode()
    for force_slow in (False, True):
        with pytest.raises(ScoringValidationError) as info:
            parse_csv(data, get_scorer("network").submission_schema, force_slow=force_slow)
        assert info.value.message == f"line 5: community_id {value!r} is not a whole number"


def test_it_summarises_a_valid_truth_for_each_kind() -> None:
    detection = validate_truth("detection", TRUTH_1)
    assert detection["rows"] == 300 and set(detection["splits"]) == {"public", "private"}
    assert sum(s["positives"] for s in detection["splits"].values()) == TRUTH_1.count(b",1,")
    hotspot = validate_truth("hotspot", next(c for c in CASES if c.name == "hotspot-edge") / "truth.csv")
    assert any("no incidents" in w for w in hotspot["warnings"])
    network = validate_truth("network", next(c for c in CASES if c.name == "network-edge") / "truth.csv")
    assert network["splits"]["public"]["key_players"] == 4
    assert any("no key player" in w for w in network["warnings"])


# --- the fast and the slow path agree ---------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(INVALID.glob("*.csv")), ids=lambda p: p.name)
def test_the_fast_and_slow_parsers_agree_on_each_invalid_vector(path: Path) -> None:
    data = path.read_bytes()
    outcomes = []
    for force_slow in (False, True):
        try:
            table = parse_csv(data, DETECTION.submission_schema, force_slow=force_slow)
            outcomes.append((table.n_rows, table["record_id"].to_pylist(), table["score"].tolist()))
        except ScoringValidationError as exc:
            outcomes.append(exc.message)
    assert outcomes[0] == outcomes[1]


def test_the_fast_path_handles_plain_files_and_hands_odd_ones_to_the_slow_path() -> None:
    assert parse_csv(SUBMISSION_1, DETECTION.submission_schema).path == "fast"
    quoted = SUBMISSION_1.replace(b"r000166", b'"r000166"')
    table = parse_csv(quoted, DETECTION.submission_schema)
    assert table.path == "slow"
    plain = parse_csv(SUBMISSION_1, DETECTION.submission_schema)
    assert table["record_id"].equals(plain["record_id"])
    assert np.array_equal(table["score"], plain["score"])
