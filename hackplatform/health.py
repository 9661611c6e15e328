"""What /healthz/ and `manage.py healthcheck` report: the database, the broker and the cache, each
"ok" or "down", checked now with short timeouts.

Only the database is required to serve the site: with the broker down uploads are still accepted (the
sweeper sends their jobs later) and with the cache down every read comes from the database. So the
answer is healthy (HTTP 200, exit 0) whenever the database answers, "degraded" when something else is
down, and unhealthy (503, exit 1) only when the database is down: a load balancer must not take every
web server out because Redis restarted.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

OK, DOWN = "ok", "down"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # the point is to report any failure, not to crash
        logger.warning("health: the database does not answer: %s", exc)
        return DOWN
    return OK


def broker_status() -> str:
    from hackplatform.celery import app

    try:
        with app.connection_for_write(connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
    except Exception as exc:
        logger.warning("health: the broker does not answer: %s", exc)
        return DOWN
    return OK


def cache_status() -> str:
    ping = getattr(cache, "ping", None)  # Redis (hackplatform.cache); local memory is always there
    return OK if ping is None or ping() else DOWN


def health() -> tuple[bool, dict[str, str]]:
    """(healthy, report): healthy when the database answers; the report names each part."""
    parts = {"database": database_status(), "broker": broker_status(), "cache": cache_status()}
    healthy = parts["database"] == OK
    overall = "ok" if all(v == OK for v in parts.values()) else ("degraded" if healthy else "error")
    return healthy, {"status": overall, **parts}
