"""Reading an upload: the arrival time (the trusted proxy's or the server's), and a size cap enforced while
the body streams in."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from hackplatform.serverclock import request_ready_at

# Multipart framing (boundaries, headers, the description field) on top of the file itself.
MULTIPART_SLACK = 64 * 1024


class SizeCapUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes SUBMISSION_MAX_UPLOAD_BYTES.

    A declared Content-Length far over the cap is refused before a byte of the body is read; otherwise
    bytes are counted as they stream in and reading stops at the first one over the cap, so an
    oversized file never fills the disk. The view sees `request.upload_too_large` and answers 413.
    """

    def __init__(self, request: HttpRequest, limit: int | None = None):
        super().__init__(request)
        self.limit = settings.SUBMISSION_MAX_UPLOAD_BYTES if limit is None else limit
        request.upload_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + MULTIPART_SLACK:
            self.request.upload_too_large = True
            return QueryDict(mutable=True), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def arrival_time():
    """The server's clock (a function of its own so tests can stand at a deadline)."""
    return timezone.now()


def proxy_arrival_time(request: HttpRequest) -> datetime | None:
    """When the proxy in front of the site received the request: its `X-Request-Start` header, or None.

    The header is read only when the deployment says a proxy is in front (`TRUSTED_PROXY_COUNT` >= 1, the
    rule X-Forwarded-For follows): without one, any client could send it to backdate an upload. The proxy
    overwrites whatever the client sent (deploy/nginx/default.conf.template). Formats: `t=<seconds>` with a
    fraction (nginx's `$msec`), or whole milliseconds or microseconds since the epoch (other routers).
    """
    if settings.TRUSTED_PROXY_COUNT < 1:
        return None
    raw = request.META.get("HTTP_X_REQUEST_START", "").strip()
    raw = raw.removeprefix("t=")
    try:
        seconds = float(raw)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    if seconds > 1e14:
        seconds /= 1_000_000
    elif seconds > 1e11:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def mark_arrival(request: HttpRequest) -> None:
    """Record when the request arrived, before its body is read, and cap the upload's size.

    Must run before anything reads request.POST/FILES (the views that call it are csrf_exempt and check
    CSRF themselves afterwards), so `received_at` is the moment the request reached the site, not the
    moment a slow upload finished: behind a trusted proxy, which buffers the whole body before passing it
    on, the moment the proxy received the request (never later than the server's clock); otherwise the
    moment gunicorn's worker handed the request to a thread (`hackplatform.gunicorn_worker`: a request
    waiting for a free thread at a rush keeps the moment it reached the server), else the moment the
    request reached the view.
    """
    if not hasattr(request, "received_at"):
        now = arrival_time()
        # The earliest of: the trusted proxy's stamp, the moment gunicorn handed the request to a thread
        # (requests wait in its queue when every thread is busy), and this clock.
        moments = [m for m in (proxy_arrival_time(request), request_ready_at()) if m is not None]
        request.received_at = min([*moments, now])
        request.upload_handlers.insert(0, SizeCapUploadHandler(request))
