"""The worked vectors of the spec, in-process and through `manage.py score_file`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from submissions.scoring import ScoringValidationError, score_file

from .helpers import (
    CASES,
    INVALID_FILES,
    TRUTH_FOR_INVALID,
    assert_close,
    expected_of,
    kind_of,
    params_of,
    submission_of,
)

ROOT = Path(__file__).resolve().parents[2]
COMMAND_CASES = ["detection-1", "hotspot-fractions-0.05-0.25", "network-edge"]


class ForwardOnly:
    """A file object that can only be read forward, like some storage backends' files."""

    def __init__(self, data: bytes, name: str = "") -> None:
        self._stream = io.BytesIO(data)
        self.name = name

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_it_reproduces_every_worked_vector(case: Path) -> None:
    result = score_file(kind_of(case), case / "truth.csv", submission_of(case), params=params_of(case))
    assert_close(expected_of(case), result)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_it_reproduces_the_vectors_from_forward_only_file_objects(case: Path) -> None:
    sub = submission_of(case)
    truth = ForwardOnly((case / "truth.csv").read_bytes(), "truth.csv")
    result = score_file(kind_of(case), truth, ForwardOnly(sub.read_bytes(), sub.name), params=params_of(case))
    assert_close(expected_of(case), result)


def test_it_scores_a_django_storage_file() -> None:
    from django.core.files.base import ContentFile

    case = next(c for c in CASES if c.name == "network-edge")
    upload = ContentFile((case / "submission.csv.gz").read_bytes(), name="uploads/team-1/submission.csv.gz")
    with open(case / "truth.csv", "rb") as truth:
        assert_close(expected_of(case), score_file("network", truth, upload))


def test_the_result_is_json_with_plain_floats_and_nulls() -> None:
    case = next(c for c in CASES if c.name == "detection-edge")
    result = score_file("detection", case / "truth.csv", case / "submission.csv")
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert result["public"] == {"average_precision": None, "roc_auc": None, "r_precision": None}


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_it_refuses_every_invalid_vector(path: Path) -> None:
    with pytest.raises(ScoringValidationError) as info:
        score_file("detection", TRUTH_FOR_INVALID, path)
    assert info.value.side == "submission"
    assert "\n" not in str(info.value)


# --- the real command, in subprocesses run side by side to keep the suite fast ---------------------


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "score_file", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def command_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    jobs: dict[str, list[str]] = {}
    for case in CASES:
        if case.name in COMMAND_CASES:
            args = [
                "--kind",
                kind_of(case),
                "--truth",
                str(case / "truth.csv"),
                "--submission",
                str(submission_of(case)),
            ]
            if params_of(case):
                args += ["--fractions", ",".join(str(f) for f in params_of(case)["fractions"])]
            jobs[case.name] = args
    for path in INVALID_FILES:
        jobs[path.name] = ["--kind", "detection", "--truth", str(TRUTH_FOR_INVALID), "--submission", str(path)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(jobs, pool.map(_run, jobs.values()), strict=True))


@pytest.mark.parametrize("name", COMMAND_CASES)
def test_the_command_prints_the_expected_json(name: str, command_runs: dict) -> None:
    run = command_runs[name]
    assert run.returncode == 0, run.stderr
    assert_close(expected_of(next(c for c in CASES if c.name == name)), json.loads(run.stdout))


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_the_command_refuses_an_invalid_file_with_one_error_line(path: Path, command_runs: dict) -> None:
    run = command_runs[path.name]
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert "Traceback" not in run.stderr


def test_the_command_refuses_an_unknown_kind_and_bad_fractions() -> None:
    case = next(c for c in CASES if c.name == "hotspot-1")
    base = ["--truth", str(case / "truth.csv"), "--submission", str(case / "submission.csv")]
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(
            pool.map(
                _run,
                [
                    ["--kind", "judged", *base],
                    ["--kind", "hotspot", "--fractions", "0.01,abc", *base],
                    ["--kind", "hotspot", "--fractions", "0,1.5", *base],
                ],
            )
        )
    for run in runs:
        assert run.returncode == 2 and run.stderr.startswith("error: ") and "Traceback" not in run.stderr


def test_the_command_names_the_truth_file_when_the_truth_is_at_fault(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("record_id,label,split\na,1,public\nb,2,public\n")
    run = _run(["--kind", "detection", "--truth", str(truth), "--submission", str(INVALID_FILES[0])])
    assert run.returncode == 2
    assert run.stderr.strip() == "error: in the truth file, line 3: label '2' must be one of: 0, 1"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_a_truth_prepared_once_scores_every_vector_the_same_again_and_again(case: Path) -> None:
    from submissions.scoring import prepare_truth, score_prepared

    truth = prepare_truth(kind_of(case), case / "truth.csv", params_of(case))
    first = score_prepared(truth, submission_of(case))
    again = score_prepared(truth, submission_of(case))
    assert_close(expected_of(case), first)
    assert first == again


def test_a_prepared_truth_cannot_be_changed_by_a_scorer() -> None:
    import numpy as np

    from submissions.scoring import prepare_truth

    case = next(c for c in CASES if c.name.startswith("detection"))
    truth = prepare_truth("detection", case / "truth.csv")
    with pytest.raises(ValueError, match="read-only"):
        truth.prepared.labels[0] = not truth.prepared.labels[0]
    with pytest.raises(ValueError, match="read-only"):
        truth.prepared.index.order[0] = np.int64(0)
