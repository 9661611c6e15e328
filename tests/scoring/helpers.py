"""Shared bits for the scoring tests: where the worked vectors live and how results are compared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parent / "vectors"
INVALID = VECTORS / "invalid"
TRUTH_FOR_INVALID = INVALID / "truth-detection.csv"
INVALID_FILES = sorted(p for p in INVALID.iterdir() if p.name not in ("README.md", "truth-detection.csv"))
CASES = sorted(p for p in VECTORS.iterdir() if p.is_dir() and p.name != "invalid")


def kind_of(case: Path) -> str:
    return case.name.split("-")[0]


def submission_of(case: Path) -> Path:
    plain = case / "submission.csv"
    return plain if plain.exists() else case / "submission.csv.gz"


def params_of(case: Path) -> dict[str, Any] | None:
    if "fractions" not in case.name:
        return None
    return {"fractions": [float(f) for f in case.name.split("fractions-")[1].split("-")]}


def expected_of(case: Path) -> dict[str, Any]:
    return json.loads((case / "expected.json").read_text())


def assert_close(expected: Any, actual: Any, tol: float = 1e-9, path: str = "") -> None:
    """Same keys, None exactly where expected, numbers within tol (relative above 1)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected a dict, got {actual!r}"
        assert set(expected) == set(actual), f"{path}: keys differ {sorted(set(expected) ^ set(actual))}"
        for key in expected:
            assert_close(expected[key], actual[key], tol, f"{path}/{key}")
        return
    if expected is None or actual is None:
        assert expected is None and actual is None, f"{path}: {expected!r} vs {actual!r}"
        return
    assert isinstance(actual, float), f"{path}: {actual!r} is not a float"
    assert abs(expected - actual) <= tol * max(1.0, abs(expected)), f"{path}: expected {expected!r}, got {actual!r}"


def csv_bytes(header: str, rows: list[str], *, newline: str = "\n", final: bool = True) -> bytes:
    text = newline.join([header, *rows]) + (newline if final else "")
    return text.encode("utf-8")
