"""`manage.py generate_dataset`: a thin wrapper around `write_dataset` (no database needed)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from challenges.datasets import write_dataset


def test_it_writes_the_dataset_and_prints_a_summary(tmp_path):
    out = io.StringIO()
    call_command("generate_dataset", kind="network", seed=4, out=str(tmp_path / "cmd"), stdout=out)
    text = out.getvalue()
    assert "network dataset, seed 4, size small" in text
    assert "public/edges.csv" in text and "private/truth.csv" in text
    write_dataset("network", 4, tmp_path / "direct")
    for path in sorted((tmp_path / "direct").rglob("*")):
        if path.is_file():
            assert (tmp_path / "cmd" / path.relative_to(tmp_path / "direct")).read_bytes() == path.read_bytes()


def test_it_takes_the_size_and_parses_command_line_style_arguments(tmp_path):
    call_command(
        "generate_dataset",
        "--kind",
        "hotspot",
        "--seed",
        "9",
        "--out",
        str(tmp_path),
        "--size",
        "small",
        stdout=io.StringIO(),
    )
    assert (tmp_path / "public" / "history.csv").exists()
    assert (tmp_path / "private" / "meta.json").exists()


def test_it_refuses_a_negative_seed(tmp_path):
    with pytest.raises(CommandError, match="seed"):
        call_command("generate_dataset", kind="detection", seed=-3, out=str(tmp_path), stdout=io.StringIO())


def test_it_refuses_an_unknown_kind(tmp_path):
    with pytest.raises(CommandError):
        call_command("generate_dataset", "--kind", "judged", "--seed", "1", "--out", str(tmp_path))
