"""Rate limits shared by the HTML pages and the API: DRF's throttles, usable outside a DRF view.

DRF's `SimpleRateThrottle` keeps each key's request times in the cache and knows how long to wait;
the pages call `wait_seconds()` with the same throttle classes, so a page and its API endpoint
share one counter and one rate (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`).
"""

from __future__ import annotations

import math

from rest_framework.throttling import SimpleRateThrottle


class AddressRateThrottle(SimpleRateThrottle):
    """One counter per caller's address for `scope` (sign-ups), signed in or not."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignupRateThrottle(AddressRateThrottle):
    scope = "signup"


class EmailRateThrottle(SimpleRateThrottle):
    """Emails a signed-in user asks the site to send them (verification links), per user."""

    scope = "email"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}


def wait_seconds(throttle: SimpleRateThrottle, request, view=None) -> int | None:
    """Count this request against `throttle`: None when allowed, else the whole seconds to wait (>= 1)."""
    if throttle.allow_request(request, view):
        return None
    return max(1, math.ceil(throttle.wait() or 1))
