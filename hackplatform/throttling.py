"""Rate limits shared by the HTML pages and the API: DRF's throttles, usable outside a DRF view.

DRF's `SimpleRateThrottle` keeps each key's request times in the cache and knows how long to wait;
the pages call `wait_seconds()` with the same throttle classes, so a page and its API endpoint
share one counter and one rate (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`).
"""

from __future__ import annotations

import math

from rest_framework import throttling
from rest_framework.throttling import SimpleRateThrottle

# The attribute of the Django request where the throttles leave what RateLimitHeadersMiddleware sends.
RATE_LIMIT_ATTRIBUTE = "_rate_limit"


class RateLimitHeadersMixin:
    """Notes, on the request, how much of this throttle's window is left: `RateLimit-*` headers tell a
    client how fast it may go before it meets a 429 (hackplatform.middleware.RateLimitHeadersMiddleware).

    Of several throttles counting one request, the one with the fewest requests left is shown (the one a
    client hits first); a throttle that does not count this request (no key: an anonymous rate for a
    signed-in caller, a view without a scope) shows nothing.
    """

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if getattr(self, "key", None) is not None and hasattr(self, "history"):
            remaining = max(0, self.num_requests - len(self.history)) if allowed else 0
            oldest = self.history[-1] if self.history else self.now
            reset = max(1, math.ceil(oldest + self.duration - self.now))
            record_rate_limit(request, limit=self.num_requests, remaining=remaining, reset=reset)
        return allowed


def record_rate_limit(request, *, limit: int, remaining: int, reset: int) -> None:
    target = getattr(request, "_request", request)  # DRF's Request wraps Django's
    current = getattr(target, RATE_LIMIT_ATTRIBUTE, None)
    if current is None or (remaining, -reset) < (current[1], -current[2]):
        setattr(target, RATE_LIMIT_ATTRIBUTE, (limit, remaining, reset))


def rate_limit_headers(request) -> dict[str, str]:
    """The IETF draft's `RateLimit-Limit/-Remaining/-Reset` (seconds) and their common `X-` twins."""
    noted = getattr(request, RATE_LIMIT_ATTRIBUTE, None)
    if noted is None:
        return {}
    headers = {}
    for name, value in zip(("Limit", "Remaining", "Reset"), noted, strict=True):
        headers[f"RateLimit-{name}"] = headers[f"X-RateLimit-{name}"] = str(value)
    return headers


class AnonRateThrottle(RateLimitHeadersMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(RateLimitHeadersMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(RateLimitHeadersMixin, throttling.ScopedRateThrottle):
    pass


class AddressRateThrottle(RateLimitHeadersMixin, SimpleRateThrottle):
    """One counter per caller's address for `scope` (sign-ups), signed in or not."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignupRateThrottle(AddressRateThrottle):
    scope = "signup"


class EmailRateThrottle(RateLimitHeadersMixin, SimpleRateThrottle):
    """Emails a signed-in user asks the site to send them (verification links), per user."""

    scope = "email"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}


def wait_seconds(throttle: SimpleRateThrottle, request, view=None) -> int | None:
    """Count this request against `throttle`: None when allowed, else the whole seconds to wait (>= 1)."""
    if throttle.allow_request(request, view):
        return None
    return max(1, math.ceil(throttle.wait() or 1))
