"""Redis as a cache that may be away: every failure is logged and read as a miss (Redis is optional
for reads; the database has every answer).

Django's `RedisCache` raises when Redis is down, which turned a leaderboard GET into a 500. This
backend catches the error of each operation, logs it once, and answers as an empty cache would
(`get` the default, `set` nothing, `add` False, ...). After a failure it does not ask Redis again for
`CACHE_RETRY_SECONDS` (per process), so an outage costs one connection timeout per process and
interval, not one per call; `ping()` (used by /healthz/) always asks.

The throttles (DRF's, kept in the cache) therefore fail open during an outage: see docs/decisions.md.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_down_until: dict[str, float] = {}
_lock = threading.Lock()


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a new `redis.Redis` for every cache operation, and each one copies about two hundred
    response callbacks: 0.3 ms of CPU, four to six times per upload (the throttles). A `redis.Redis` is
    safe to share between threads (each command borrows a connection from the pool), so keep one per pool.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:  # two threads may both build one: harmless, the last one is kept
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient  # RedisCache sets its own in __init__
        self._location = server if isinstance(server, str) else ",".join(server)

    def _guard(self, operation: str, fallback, method, *args):
        """Run one Redis operation unless Redis failed recently; on failure log once, answer `fallback`."""
        if _down_until.get(self._location, 0) > time.monotonic():
            return fallback
        try:
            return method(*args)
        except (RedisError, OSError) as exc:  # Redis away or too slow; a programming error still raises
            self._trip(operation, exc)
            return fallback

    def _trip(self, operation: str, exc: Exception) -> None:
        with _lock:
            first = _down_until.get(self._location, 0) <= time.monotonic()
            _down_until[self._location] = time.monotonic() + settings.CACHE_RETRY_SECONDS
        if first:
            logger.warning(
                "cache unavailable (%s: %s); reading from the database for the next %s s",
                operation,
                exc,
                settings.CACHE_RETRY_SECONDS,
            )

    def ping(self) -> bool:
        """Ask Redis now (ignoring a recent failure); True when it answers, and the cache is used again."""
        try:
            self._cache.get_client(write=True).ping()
        except (RedisError, OSError) as exc:
            self._trip("ping", exc)
            return False
        with _lock:
            _down_until.pop(self._location, None)
        return True

    def get(self, key, default=None, version=None):
        return self._guard("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._guard("clear", None, super().clear)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._guard("incr", missing, super().incr, key, delta, version)
        if value is missing:  # a counter that cannot be read is a missing key (Django's contract)
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")
        return value
