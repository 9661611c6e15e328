"""Stored files served with a strong ETag, `If-None-Match` (304) and single byte ranges (206/416).

Django's FileResponse streams a whole file and its conditional decorators compare ETags but know no
ranges, so this module does both for files whose SHA-256 is known in advance (a dataset's zip): the
ETag is the hash itself, so it is strong (the same bytes always, whatever server answers) and costs
nothing to compute per request. One range per request (`bytes=a-b`, `bytes=a-`, `bytes=-n`): several
ranges in one request are answered with the whole file (RFC 9110 lets a server ignore Range).
"""

from __future__ import annotations

import re

from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: `W/"x"` matches `"x"`; `*` matches any."""
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of a single satisfiable range; None to ignore the header (malformed, several
    ranges); False when it is unsatisfiable (starts at or after the end, or a zero-length suffix)."""
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            return False
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return False
    return start, min(end, size - 1)


def _set(response, headers: dict[str, str]) -> None:
    for name, value in headers.items():
        response[name] = value


def _slice(handle, start: int, length: int):
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_download(request, field_file, *, sha256: str, size: int, filename: str, content_type: str, api: bool):
    """The answer to a GET of a stored file (opened through Django's storage API, never by path).

    1. `If-None-Match` naming our ETag (or `*`): 304, no body;
    2. a single `Range` (honoured unless `If-Range` names another ETag): 206 with `Content-Range`, or
       416 with `Content-Range: bytes */size` and the reason (JSON `{detail, code}` in the API);
    3. else the whole file (200), always with `ETag` and `Accept-Ranges: bytes`.
    """
    etag = f'"{sha256}"'
    common = {"ETag": etag, "Accept-Ranges": "bytes"}
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and _etag_matches(if_none_match, etag):
        response = HttpResponse(status=304)
        _set(response, common)
        return response
    wanted = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if wanted and (if_range is None or if_range.strip() == etag):
        span = parse_range(wanted, size)
        if span is False:
            detail = _("The requested range is beyond the end of the file (%(size)d bytes).") % {"size": size}
            if api:
                response = JsonResponse({"detail": detail, "code": "range_not_satisfiable"}, status=416)
            else:
                response = HttpResponse(detail, status=416, content_type="text/plain; charset=utf-8")
            _set(response, {**common, "Content-Range": f"bytes */{size}"})
            return response
        if span is not None:
            start, end = span
            response = StreamingHttpResponse(
                _slice(field_file.open("rb"), start, end - start + 1), status=206, content_type=content_type
            )
            _set(
                response,
                {
                    **common,
                    "Content-Range": f"bytes {start}-{end}/{size}",
                    "Content-Length": str(end - start + 1),
                    "Content-Disposition": content_disposition_header(True, filename),
                },
            )
            return response
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    _set(response, common)
    return response
