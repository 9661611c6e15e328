"""When the web server got the request being served by this thread (set by hackplatform.gunicorn_worker).

A thread-local: gthread serves one request per thread at a time. None under other servers (runserver,
the test client), where the view's own clock is the arrival time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

_local = threading.local()


def set_request_ready_at(seconds: float | None) -> None:
    _local.ready_at = seconds


def request_ready_at() -> datetime | None:
    seconds = getattr(_local, "ready_at", None)
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)
