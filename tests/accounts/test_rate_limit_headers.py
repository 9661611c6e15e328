"""RateLimit-* headers (IETF draft names, and their X- twins) on every throttled answer, 429 included."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def headers(response) -> tuple[int, int, int]:
    values = tuple(int(response[f"RateLimit-{name}"]) for name in ("Limit", "Remaining", "Reset"))
    assert values == tuple(int(response[f"X-RateLimit-{name}"]) for name in ("Limit", "Remaining", "Reset"))
    return values


def test_anonymous_answers_count_down_and_the_429_says_none_left_with_retry_after(throttle_rates):
    throttle_rates(anon="3/min")
    api = APIClient()
    seen = [headers(api.get("/api/v1/events/")) for _ in range(3)]
    assert [s[1] for s in seen] == [2, 1, 0]
    assert all(s[0] == 3 and 1 <= s[2] <= 60 for s in seen)
    refused = api.get("/api/v1/events/")
    assert refused.status_code == 429
    limit, remaining, reset = headers(refused)
    assert (limit, remaining) == (3, 0) and 1 <= reset <= 60 and int(refused["Retry-After"]) >= 1


def test_the_count_resets_once_the_window_has_passed(throttle_rates):
    throttle_rates(anon="2/sec")
    api = APIClient()
    assert headers(api.get("/api/v1/events/"))[1] == 1
    assert headers(api.get("/api/v1/events/"))[1] == 0
    time.sleep(1.1)
    limit, remaining, reset = headers(api.get("/api/v1/events/"))
    assert (limit, remaining, reset) == (2, 1, 1)


def test_a_signed_in_caller_sees_the_per_user_rate(throttle_rates):
    throttle_rates(user="5/min", anon="1/min")
    api = APIClient()
    api.force_authenticate(UserFactory())
    assert headers(api.get("/api/v1/me/"))[:2] == (5, 4)
    assert headers(api.get("/api/v1/me/"))[:2] == (5, 3)


def test_the_tightest_of_several_throttles_is_shown(throttle_rates):
    throttle_rates(anon="100/min", login="4/min")
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json")
    assert headers(response)[:2] == (4, 3)
