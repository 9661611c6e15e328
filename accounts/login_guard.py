"""Login throttling on top of django-axes: three limits, one cool-off, never a permanent lock.

Axes records every failed password (page and API token endpoint alike, both call `authenticate`
with the request) and compares the failures of the last `AXES_COOLOFF_TIME` with one limit. We keep
three counts with their own limits (`LOGIN_FAILURE_LIMITS`):

1. one username from one address (the usual guessing): low;
2. one username from any address (guessing spread over many machines): higher, so a stranger must
   work harder to lock someone out of their own account;
3. one address for any username (password spraying): highest, because a campus or a hackathon venue
   shares one address and its honest typos must not lock everyone out.

Every lock lifts by itself once the cool-off has passed since the last failure.
"""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

LOCKED_CODE = "login_locked"


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address, read exactly as DRF's throttles read it (`NUM_PROXIES` trusted proxies)."""
    return BaseThrottle().get_ident(request) or None


class LoginGuardHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per lockout parameter instead of one for all."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # AXES_LOCKOUT_PARAMETERS is [[username, ip_address], username, ip_address], in that order.
        limits = settings.LOGIN_FAILURE_LIMITS
        keys = ("username_ip", "username", "ip")
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if get_client_username(request, credentials) is None:
            counts[0] = counts[1] = 0  # no username: only the address counts
        if any(count >= limits[key] for key, count in zip(keys, counts, strict=True)):
            return settings.AXES_FAILURE_LIMIT
        return min(counts[0], settings.AXES_FAILURE_LIMIT - 1)


def retry_after_seconds(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    return math.ceil(cool_off.total_seconds()) if cool_off else 60


def lockout_message(request: HttpRequest | None = None) -> str:
    minutes = max(1, math.ceil(retry_after_seconds(request) / 60))
    return _(
        "Too many failed sign-in attempts. For your safety, signing in is paused for %(minutes)d minutes; "
        "try again then, or reset your password."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 with Retry-After: the API's error body for API paths, the login page with the reason otherwise."""
    seconds = retry_after_seconds(request)
    message = lockout_message(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": LOCKED_CODE}, status=429)
    else:
        from django.contrib.auth.forms import AuthenticationForm

        form = AuthenticationForm(request, data=request.POST or None)
        form.is_bound = False  # show the form empty, with the lockout message above it
        response = render(request, "registration/login.html", {"form": form, "lockout_message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
