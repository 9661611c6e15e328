"""Same (kind, seed, size) -> byte-identical files; another seed -> other data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from challenges.datasets import KINDS, SIZES, generate, write_dataset
from challenges.datasets.common import sha256
from tests.datasets.helpers import dataset

ROOT = Path(__file__).resolve().parents[2]


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("kind", KINDS)
def test_it_writes_byte_identical_files_for_the_same_seed(kind, tmp_path):
    write_dataset(kind, 11, tmp_path / "a")
    write_dataset(kind, 11, tmp_path / "b")
    first, second = files_under(tmp_path / "a"), files_under(tmp_path / "b")
    assert first == second
    assert {"private/truth.csv", "private/meta.json", "public/sample_submission.csv"} <= set(first)
    assert {"public/baseline_submission.csv", "public/DATA_CARD.md"} <= set(first)


@pytest.mark.parametrize("kind", KINDS)
def test_it_is_byte_identical_in_a_fresh_process(kind, tmp_path):
    """Nothing depends on process state such as hash randomisation or import order."""
    code = f"from challenges.datasets import write_dataset; write_dataset({kind!r}, 11, {str(tmp_path / 'sub')!r})"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={"PYTHONHASHSEED": "random"})
    write_dataset(kind, 11, tmp_path / "here")
    assert files_under(tmp_path / "sub") == files_under(tmp_path / "here")


@pytest.mark.parametrize("kind", KINDS)
def test_it_writes_what_generate_returns(kind, tmp_path):
    written = write_dataset(kind, 5, tmp_path)
    data = dataset(kind, 5)
    assert written.public_files == data.public_files and written.truth == data.truth
    assert files_under(tmp_path / "public") == data.public_files
    assert (tmp_path / "private" / "truth.csv").read_bytes() == data.truth


@pytest.mark.parametrize("kind", KINDS)
def test_meta_json_records_the_facts_and_checksums(kind, tmp_path):
    data = write_dataset(kind, 5, tmp_path)
    document = json.loads((tmp_path / "private" / "meta.json").read_text())
    assert document["meta"] == data.meta
    assert document["meta"]["kind"] == kind and document["meta"]["seed"] == 5 and document["meta"]["size"] == "small"
    assert document["params"] == data.params
    assert document["truth"]["sha256"] == sha256(data.truth)
    for name, blob in data.public_files.items():
        assert document["public_files"][name] == {"bytes": len(blob), "sha256": sha256(blob)}


@pytest.mark.parametrize("kind", KINDS)
def test_different_seeds_give_different_data(kind):
    one, two = dataset(kind, 1), dataset(kind, 2)
    assert one.truth != two.truth
    # The card and the network's plain list of node ids only depend on the size, by design.
    for name in set(one.public_files) - {"DATA_CARD.md", "nodes.csv"}:
        assert one.public_files[name] != two.public_files[name], name


@pytest.mark.parametrize("kind", KINDS)
def test_no_file_holds_a_timestamp_or_a_local_path(kind):
    data = dataset(kind, 1)
    for blob in [*data.public_files.values(), data.truth]:
        text = blob.decode("utf-8")
        assert "/work/" not in text and "/tmp/" not in text
        assert "2025-" not in text and "2026-" not in text


def test_it_refuses_unknown_kinds_sizes_and_bad_seeds():
    with pytest.raises(ValueError, match="kind"):
        generate("judged", 1)
    with pytest.raises(ValueError, match="size"):
        generate("detection", 1, "huge")
    with pytest.raises(ValueError, match="seed"):
        generate("detection", -1)
    with pytest.raises(TypeError, match="seed"):
        generate("detection", 1.5)  # type: ignore[arg-type]
    assert SIZES == ("small", "medium", "large")
