"""Seeded synthetic datasets for the three scored challenge kinds (no Django, no ORM).

`generate(kind, seed, size, secret)` builds a dataset in memory; `write_dataset(...)` also writes it:

    out_dir/public/<inputs>, sample_submission.csv, baseline_submission.csv, DATA_CARD.md
    out_dir/private/truth.csv, meta.json

The same (kind, seed, size) always gives byte-identical files: every random draw comes from
streams spawned from one `numpy.random.SeedSequence(seed)`, numbers are written with fixed
formats, rows in explicit orders, `\\n` line ends, and no file holds a timestamp. The truth and the
submissions follow /shared/spec/scoring.md. Every dataset is fully synthetic: invented records,
an invented city, an invented network; each module's docstring tells its generative story.

The platform's own datasets also pass a `secret` (16+ random bytes kept by the server with the
challenge): it is mixed into the SeedSequence, and neither the data card nor the meta then names the
seed, so the published generator and any seed an outsider tries cannot rebuild the truth. Without a
secret (`generate_dataset`, local experiments) the output is the same as before secrets existed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from challenges.datasets import detection, hotspot, network
from challenges.datasets.common import SIZES, GeneratedDataset, check_secret, check_seed, check_size, sha256

__all__ = ["GENERATOR_VERSION", "KINDS", "SIZES", "GeneratedDataset", "generate", "write_dataset"]

KINDS = ("detection", "hotspot", "network")
# Bump when a generator's output changes for an existing seed, so stored datasets can be told apart.
GENERATOR_VERSION = 1

_GENERATORS: dict[str, Callable[[int, str, bytes | None], GeneratedDataset]] = {
    "detection": detection.generate,
    "hotspot": hotspot.generate,
    "network": network.generate,
}


def generate(kind: str, seed: int, size: str = "small", secret: bytes | None = None) -> GeneratedDataset:
    """Build the dataset of `kind` for `seed` and `size` in memory; with a `secret`, the meta and the
    data card leave the seed out (it is the organizers' business, and half of the key)."""
    if kind not in _GENERATORS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    dataset = _GENERATORS[kind](check_seed(seed), check_size(size), check_secret(secret))
    facts = {"kind": kind, "seed": dataset.seed, "size": size, "generator_version": GENERATOR_VERSION}
    if secret is not None:
        del facts["seed"]
    dataset.meta = facts | dataset.meta
    return dataset


def meta_json(dataset: GeneratedDataset) -> bytes:
    """The private meta.json: facts, scoring params, and a checksum of every file written."""
    files = {name: {"bytes": len(data), "sha256": sha256(data)} for name, data in sorted(dataset.public_files.items())}
    document = {
        "meta": dataset.meta,
        "params": dataset.params,
        "public_files": files,
        "truth": {"bytes": len(dataset.truth), "sha256": sha256(dataset.truth)},
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


def write_dataset(
    kind: str, seed: int, out_dir: str | Path, size: str = "small", secret: bytes | None = None
) -> GeneratedDataset:
    """Generate and write `out_dir/public/*` and `out_dir/private/{truth.csv,meta.json}`.

    Existing files of the same names are overwritten; other files in `out_dir` are left alone.
    """
    dataset = generate(kind, seed, size, secret)
    public = Path(out_dir) / "public"
    private = Path(out_dir) / "private"
    public.mkdir(parents=True, exist_ok=True)
    private.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(dataset.public_files.items()):
        (public / name).write_bytes(data)
    (private / "truth.csv").write_bytes(dataset.truth)
    (private / "meta.json").write_bytes(meta_json(dataset))
    return dataset
