"""Shared helpers of the dataset tests: cached generation and strict CSV reading."""

from __future__ import annotations

import csv
import functools
import io

from challenges.datasets import GeneratedDataset, generate

PRIMARY = {"detection": "average_precision", "hotspot": "mean_pei_star", "network": "network_score"}


@functools.cache
def dataset(kind: str, seed: int, size: str = "small") -> GeneratedDataset:
    """Generated once per (kind, seed, size) for the whole test session; tests must not mutate it."""
    return generate(kind, seed, size)


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a generated CSV, checking the byte-level rules of the spec on the way."""
    text = data.decode("utf-8")
    assert not text.startswith("\ufeff"), "no BOM"
    assert "\r" not in text, "LF line ends only"
    assert text.endswith("\n") and not text.endswith("\n\n"), "one final newline, no blank line"
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body), "every row has as many cells as the header"
    return header, body


def column(header: list[str], rows: list[list[str]], name: str) -> list[str]:
    index = header.index(name)
    return [row[index] for row in rows]


def primary(kind: str, result: dict, split: str = "private") -> float:
    value = result[split][PRIMARY[kind]]
    assert value is not None, f"{PRIMARY[kind]} undefined on {split}"
    return value
