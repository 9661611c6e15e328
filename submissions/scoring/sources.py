"""Turn a path, an open binary file or raw bytes into the decompressed bytes of a CSV, with a size cap.

Uploads come from participants, so nothing here trusts the file: gzip is recognised by its magic
bytes (not by its name), inflation happens in bounded steps and stops as soon as the cap is passed,
and file objects are only ever read forward (Django storage files need not be seekable).
"""

from __future__ import annotations

import gzip
import os
import zlib
from typing import IO

from .errors import ScoringValidationError, Side

Source = str | os.PathLike | IO[bytes] | bytes | bytearray | memoryview

DEFAULT_MAX_DECOMPRESSED_BYTES = 200 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1024 * 1024


def human_size(n: int) -> str:
    """Format a byte count the way a participant reads it (binary units, as the setting is written)."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


def _read(raw: IO[bytes], size: int) -> bytes:
    data = raw.read(size)
    if isinstance(data, str):
        raise TypeError("scoring needs a file opened in binary mode ('rb'), not text mode")
    return bytes(data) if not isinstance(data, bytes) else data


def _read_head(raw: IO[bytes], n: int) -> bytes:
    # A file object may return fewer bytes than asked for before its end; keep asking.
    head = b""
    while len(head) < n:
        chunk = _read(raw, n - len(head))
        if not chunk:
            break
        head += chunk
    return head


def _too_large(limit: int, *, compressed: bool, side: Side) -> ScoringValidationError:
    code = "too_large_inflated" if compressed else "too_large_file"
    return ScoringValidationError.of(code, side=side, limit=human_size(limit))


def _read_plain(
    raw: IO[bytes], head: bytes, limit: int, side: Side, *, compressed: bool = False, size: int | None = None
) -> bytearray:
    buf = bytearray(head)
    if size is not None and len(head) < size <= limit:
        # A file of known size is read straight into a buffer of that size: no regrowth, no slack.
        buf = bytearray(size)
        buf[: len(head)] = head
        view, pos = memoryview(buf), len(head)
        while pos < size and (n := raw.readinto(view[pos:])):  # type: ignore[attr-defined]
            pos += n
        view.release()
        del buf[pos:]
    while True:
        chunk = _read(raw, CHUNK)
        if not chunk:
            return buf
        buf += chunk
        if len(buf) > limit:
            raise _too_large(limit, compressed=compressed, side=side)


class _ViewReader:
    """Forward reads over bytes already in memory, without the copy io.BytesIO makes of a bytearray."""

    def __init__(self, data: bytes | bytearray) -> None:
        self._view = memoryview(data)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._pos + size
        chunk = bytes(self._view[self._pos : end])
        self._pos += len(chunk)
        return chunk


def _read_gzip(raw: IO[bytes], head: bytes, limit: int, side: Side) -> bytearray:
    """Inflate gzip data, refusing it as soon as its inflated size passes `limit`.

    1. Keep the compressed bytes (a bomb is small; a compressed file larger than the cap could not
       inflate to less than the cap, since deflate expands incompressible data by under 0.1%).
    2. Inflate once in CHUNK-sized steps, keeping nothing, to learn the size: a bomb is refused
       having used memory for its compressed bytes and one chunk only.
    3. Inflate again into a buffer of exactly that size.
    Corrupt, truncated or non-gzip data after the magic bytes is a validation error, not a crash.
    """
    compressed = _read_plain(raw, head, limit + limit // 1000 + 65536, side, compressed=True)
    try:
        total = 0
        with gzip.GzipFile(fileobj=_ViewReader(compressed), mode="rb") as stream:  # type: ignore[arg-type]
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise _too_large(limit, compressed=True, side=side)
        out = bytearray(total)
        view = memoryview(out)
        with gzip.GzipFile(fileobj=_ViewReader(compressed), mode="rb") as stream:  # type: ignore[arg-type]
            pos = 0
            while pos < total:
                n = stream.readinto(view[pos : pos + CHUNK])
                if not n:
                    break
                pos += n
        if pos != total:  # pragma: no cover - the same bytes inflate the same way twice
            raise ScoringValidationError.of("gzip_inconsistent", side=side)
        return out
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ScoringValidationError.of("gzip_corrupt", side=side, detail=str(exc))


def read_source(source: Source, *, side: Side = "submission", max_bytes: int | None = None) -> bytes | bytearray:
    """Return the (decompressed) bytes of `source`, never more than `max_bytes` of them.

    1. Raw bytes are taken as the file's content; a str or PathLike is opened; anything else is
       read as a binary file object, forward only.
    2. The first two bytes decide whether the content is gzip; a name ending in `.gz` with other
       content is refused, because the participant clearly meant to send something else.
    3. Plain content is read in chunks and gzip content inflated in chunks, both stopping with a
       ScoringValidationError once `max_bytes` (default 200 MiB) is passed.
    """
    limit = DEFAULT_MAX_DECOMPRESSED_BYTES if max_bytes is None else int(max_bytes)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source) if isinstance(source, memoryview) else source
        if data[:2] == GZIP_MAGIC:
            return _read_gzip(_ViewReader(data), b"", limit, side)
        if len(data) > limit:
            raise _too_large(limit, compressed=False, side=side)
        return data
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        with open(name, "rb") as raw:
            size = os.fstat(raw.fileno()).st_size
            head = _read_head(raw, 2)
            if head != GZIP_MAGIC and size > limit:
                raise _too_large(limit, compressed=False, side=side)
            return _read_opened(raw, head, str(name), limit, side, size=size)
    name = getattr(source, "name", None)
    return _read_opened(source, _read_head(source, 2), name if isinstance(name, str) else "", limit, side)


def _read_opened(
    raw: IO[bytes], head: bytes, name: str, limit: int, side: Side, size: int | None = None
) -> bytes | bytearray:
    if head == GZIP_MAGIC:
        return _read_gzip(raw, head, limit, side)
    if not head:
        raise ScoringValidationError.of("empty_file", side=side)
    if name.lower().endswith(".gz"):
        raise ScoringValidationError.of("not_gzip", side=side)
    return _read_plain(raw, head, limit, side, size=size)
