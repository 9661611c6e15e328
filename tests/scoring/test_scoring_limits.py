"""Size caps: compressed bombs and oversized files are refused while reading, never inflated whole."""

from __future__ import annotations

import gzip
import io
import tracemalloc
import zlib
from pathlib import Path

import pytest

from submissions.scoring import ScoringValidationError, score_file
from submissions.scoring.sources import CHUNK, read_source

from .helpers import CASES, INVALID, TRUTH_FOR_INVALID, assert_close, expected_of

MiB = 1024 * 1024


class CountingReader:
    """A forward-only binary file that counts the bytes handed out."""

    def __init__(self, data: bytes, name: str = "") -> None:
        self._stream = io.BytesIO(data)
        self.name = name
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.consumed += len(chunk)
        return chunk


def gzip_bomb(inflated: int) -> bytes:
    """`inflated` bytes of valid-looking CSV rows, compressed (about 1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"record_id,score\n" + b"r000001,0.5\n" * (MiB // 12)
    parts = [compressor.compress(block) for _ in range(inflated // len(block))]
    return b"".join(parts) + compressor.flush()


def peak_while(func) -> tuple[int, Exception | None]:
    tracemalloc.start()
    try:
        func()
        error = None
    except ScoringValidationError as exc:
        error = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, error


def test_it_refuses_the_bomb_vector_holding_no_more_than_the_cap() -> None:
    bomb = (INVALID / "bomb.csv.gz").read_bytes()
    reader = CountingReader(bomb, "bomb.csv.gz")
    peak, error = peak_while(lambda: read_source(reader))
    assert isinstance(error, ScoringValidationError)
    assert error.message == "once decompressed, the file is larger than the limit of 200 MiB"
    # The bomb inflates to 300 MB, past the 200 MiB cap; it is measured without being kept: what
    # is held is its compressed bytes and a few chunks of gzip buffers.
    assert peak < len(bomb) + 8 * CHUNK


def test_it_refuses_the_bomb_vector_early_with_a_small_cap() -> None:
    path = INVALID / "bomb.csv.gz"
    reader = CountingReader(path.read_bytes(), path.name)
    peak, error = peak_while(lambda: score_file("detection", TRUTH_FOR_INVALID, reader, max_decompressed_bytes=MiB))
    assert isinstance(error, ScoringValidationError) and "larger than the limit of 1 MiB" in error.message
    assert peak < 8 * MiB


def test_it_refuses_a_bomb_made_on_the_fly_without_inflating_it() -> None:
    bomb = gzip_bomb(256 * MiB)
    assert len(bomb) < 2 * MiB
    reader = CountingReader(bomb, "upload.csv")  # the name does not matter: gzip is recognised by content
    peak, error = peak_while(lambda: read_source(reader, max_bytes=2 * MiB))
    assert isinstance(error, ScoringValidationError) and error.line is None
    assert "once decompressed" in error.message
    assert peak < len(bomb) + 8 * CHUNK


def test_it_refuses_a_plain_file_over_the_cap_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(300 * MiB)  # sparse: costs no disk
    peak, error = peak_while(lambda: read_source(path, max_bytes=200 * MiB))
    assert isinstance(error, ScoringValidationError) and error.message == "the file is larger than the limit of 200 MiB"
    assert peak < MiB


def test_it_stops_reading_a_plain_stream_at_the_cap() -> None:
    reader = CountingReader(b"record_id,score\n" + b"r1,0.5\n" * (2 * MiB), "big.csv")
    with pytest.raises(ScoringValidationError, match="larger than the limit of 1 MiB"):
        read_source(reader, max_bytes=MiB)
    assert reader.consumed <= MiB + CHUNK


def test_it_accepts_a_compressed_submission_within_the_cap() -> None:
    case = next(c for c in CASES if c.name == "network-edge")
    result = score_file("network", case / "truth.csv", case / "submission.csv.gz", max_decompressed_bytes=4096)
    assert_close(expected_of(case), result)


def test_the_cap_applies_to_the_truth_file_too() -> None:
    case = next(c for c in CASES if c.name == "detection-1")
    with pytest.raises(ScoringValidationError) as info:
        score_file(
            "detection",
            gzip.compress((case / "truth.csv").read_bytes()),
            case / "submission.csv",
            max_decompressed_bytes=1000,
        )
    assert info.value.side == "truth"
