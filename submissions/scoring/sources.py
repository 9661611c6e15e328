"""Turn a path, an open binary file or raw bytes into the decompressed bytes of a CSV, with a size cap.

Uploads come from participants, so nothing here trusts the file: gzip is recognised by its magic
bytes (not by its name), inflation happens in bounded steps and stops as soon as the cap is passed,
and file objects are only ever read forward (Django storage files need not be seekable).
"""

from __future__ import annotations

import gzip
import io
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


class _Prefixed:
    """A forward-only reader that first replays bytes already consumed to sniff the format."""

    def __init__(self, head: bytes, raw: IO[bytes]) -> None:
        self._head = head
        self._raw = raw

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + _read_all_unbounded(self._raw), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return _read(self._raw, size)


def _read(raw: IO[bytes], size: int) -> bytes:
    data = raw.read(size)
    if isinstance(data, str):
        raise TypeError("scoring needs a file opened in binary mode ('rb'), not text mode")
    return bytes(data) if not isinstance(data, bytes) else data


def _read_all_unbounded(raw: IO[bytes]) -> bytes:
    # Only reached if gzip asks for "everything", which GzipFile never does on its underlying file.
    parts = []
    while chunk := _read(raw, CHUNK):
        parts.append(chunk)
    return b"".join(parts)


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
    what = "once decompressed, the file" if compressed else "the file"
    return ScoringValidationError(f"{what} is larger than the limit of {human_size(limit)}", side=side)


def _read_plain(raw: IO[bytes], head: bytes, limit: int, side: Side) -> bytearray:
    buf = bytearray(head)
    while True:
        chunk = _read(raw, CHUNK)
        if not chunk:
            return buf
        buf += chunk
        if len(buf) > limit:
            raise _too_large(limit, compressed=False, side=side)


def _read_gzip(raw: IO[bytes], head: bytes, limit: int, side: Side) -> bytearray:
    """Inflate in CHUNK-sized steps, refusing as soon as the output passes `limit`.

    1. GzipFile.read(n) returns at most n bytes per call, so a bomb never inflates more than
       `limit + CHUNK` bytes before it is refused.
    2. Corrupt, truncated or non-gzip data after the magic bytes is a validation error, not a crash.
    """
    buf = bytearray()
    try:
        with gzip.GzipFile(fileobj=_Prefixed(head, raw), mode="rb") as stream:  # type: ignore[arg-type]
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    return buf
                buf += chunk
                if len(buf) > limit:
                    raise _too_large(limit, compressed=True, side=side)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ScoringValidationError(f"the gzip-compressed data is corrupt or truncated ({exc})", side=side)


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
            return _read_gzip(io.BytesIO(data), b"", limit, side)
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
            return _read_opened(raw, head, str(name), limit, side)
    name = getattr(source, "name", None)
    return _read_opened(source, _read_head(source, 2), name if isinstance(name, str) else "", limit, side)


def _read_opened(raw: IO[bytes], head: bytes, name: str, limit: int, side: Side) -> bytes | bytearray:
    if head == GZIP_MAGIC:
        return _read_gzip(raw, head, limit, side)
    if not head:
        raise ScoringValidationError("the file is empty", side=side)
    if name.lower().endswith(".gz"):
        raise ScoringValidationError("the file name ends in .gz but its content is not gzip-compressed", side=side)
    return _read_plain(raw, head, limit, side)
