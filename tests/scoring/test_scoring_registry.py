"""Which scorers exist, what they declare, and how extra scorers are plugged in."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from submissions.scoring import (
    CsvScorer,
    ScorerConfigurationError,
    UnknownKindError,
    available_kinds,
    get_scorer,
    registry,
    score_file,
)

from .helpers import CASES

BUILT_IN = ("detection", "hotspot", "network")
ROOT = Path(__file__).resolve().parents[2]

EXTRA_MODULE = '''
class EchoScorer:
    """A scorer from outside the platform: it gets the decompressed bytes of both files."""

    kind = "echo"
    primary_metric = "rows"
    higher_is_better = True
    truth_columns = ("id",)
    submission_columns = ("id",)
    metric_descriptions = {"rows": "Number of lines in the submission."}
    default_params = {}

    def score(self, truth, submission, params=None):
        rows = float(bytes(submission).count(b"\\n"))
        return {"public": {"rows": rows, "broken": float("nan")}, "private": {"rows": rows, "broken": None}}


scorer = EchoScorer()
'''


@pytest.fixture
def extra_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"extra_scorers_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(EXTRA_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.clear_cache()
    yield name
    registry.clear_cache()


def test_the_built_in_kinds_are_available() -> None:
    assert set(BUILT_IN) <= set(available_kinds())


def test_judged_challenges_have_no_scorer() -> None:
    assert "judged" not in available_kinds()
    with pytest.raises(UnknownKindError, match="ranked by judges"):
        get_scorer("judged")


def test_an_unknown_kind_is_refused_with_the_available_ones() -> None:
    with pytest.raises(UnknownKindError, match="available: detection, hotspot, network"):
        get_scorer("astrology")


@pytest.mark.parametrize("kind", BUILT_IN)
def test_each_built_in_scorer_declares_what_the_platform_shows(kind: str) -> None:
    scorer = get_scorer(kind)
    assert isinstance(scorer, CsvScorer)
    assert scorer.kind == kind
    assert scorer.higher_is_better is True
    names = scorer.metric_names()
    assert scorer.primary_metric in names
    assert set(scorer.metric_descriptions) == set(names)
    for sentence in scorer.metric_descriptions.values():
        assert sentence.endswith(".") and sentence.count(". ") == 0 and len(sentence) < 250
    assert scorer.truth_columns[0] == scorer.submission_columns[0]
    assert "split" in scorer.truth_columns
    case = next(c for c in CASES if c.name == f"{kind}-1")
    result = score_file(kind, case / "truth.csv", case / "submission.csv")
    assert list(result["public"]) == names


def test_hotspot_metric_names_follow_the_fractions() -> None:
    hotspot = get_scorer("hotspot")
    assert hotspot.default_params == {"fractions": [0.01, 0.02, 0.05, 0.10]}
    names = hotspot.metric_names({"fractions": [0.005, 0.25]})
    assert names == [
        "hit_rate@0.5%",
        "hit_rate@25%",
        "pai@0.5%",
        "pai@25%",
        "pei_star@0.5%",
        "pei_star@25%",
        "mean_pei_star",
    ]
    described = hotspot.describe_metrics({"fractions": [0.005]})
    assert "0.5%" in described["pai@0.5%"]


@pytest.mark.parametrize(
    "params",
    [
        {"fractions": []},
        {"fractions": [0]},
        {"fractions": [1.5]},
        {"fractions": ["a"]},
        {"fractions": [0.1, 0.1]},
        {"k": 3},
    ],
)
def test_bad_parameters_are_a_configuration_error(params: dict) -> None:
    with pytest.raises(ValueError):
        get_scorer("hotspot").check_params(params)


def test_extra_scorers_come_from_the_setting(settings, extra_module: str) -> None:
    settings.SCORING_EXTRA_SCORERS = [f"echo={extra_module}:scorer"]
    assert "echo" in available_kinds()
    result = score_file("echo", b"id\n", b"id\na\nb\n")
    assert result == {"public": {"rows": 3.0, "broken": None}, "private": {"rows": 3.0, "broken": None}}


def test_a_malformed_setting_entry_is_reported(settings, extra_module: str) -> None:
    settings.SCORING_EXTRA_SCORERS = [f"{extra_module}:scorer"]
    with pytest.raises(ScorerConfigurationError, match="must look like"):
        available_kinds()
    settings.SCORING_EXTRA_SCORERS = ["echo=no_such_module_here:scorer"]
    with pytest.raises(ScorerConfigurationError, match="cannot load"):
        get_scorer("echo")


def test_extra_scorers_come_from_entry_points(monkeypatch: pytest.MonkeyPatch, extra_module: str) -> None:
    points = [
        EntryPoint(name="echo", value=f"{extra_module}:EchoScorer", group=registry.ENTRY_POINT_GROUP),
        EntryPoint(name="detection", value=f"{extra_module}:EchoScorer", group=registry.ENTRY_POINT_GROUP),
    ]
    monkeypatch.setattr(registry, "entry_points", lambda group: [p for p in points if p.group == group])
    assert get_scorer("echo").kind == "echo"
    # An installed package cannot replace the meaning of a built-in kind.
    assert isinstance(get_scorer("detection"), CsvScorer)


def test_the_package_imports_without_django() -> None:
    code = "import sys, submissions.scoring as s; s.available_kinds(); print('django' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env={})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
