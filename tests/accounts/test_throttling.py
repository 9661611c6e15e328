"""API throttles (anonymous, signed in, sign-up, token endpoint) and the sign-up page's rate: 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signup_page(client, n: int, ip: str = "10.1.1.1"):
    return client.post(
        reverse("signup"),
        {
            "username": f"person{n}",
            "email": f"person{n}@example.org",
            "country": "NG",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
        REMOTE_ADDR=ip,
    )


def signup_api(n: int, ip: str = "10.1.1.1"):
    body = {"username": f"bot{n}", "email": f"bot{n}@example.org", "password": "long-enough-pass-42", "country": "GH"}
    return APIClient(REMOTE_ADDR=ip).post("/api/v1/auth/register/", body, format="json")


def test_anonymous_reads_are_limited_per_address_with_429_and_retry_after(throttle_rates):
    throttle_rates(anon="3/min")
    api = APIClient(REMOTE_ADDR="10.2.2.2")
    for _ in range(3):
        assert api.get("/api/v1/events/").status_code == 200
    response = api.get("/api/v1/events/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "wait" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert APIClient(REMOTE_ADDR="10.2.2.3").get("/api/v1/events/").status_code == 200


def test_signed_in_use_is_limited_per_user(throttle_rates):
    throttle_rates(user="2/min")
    api = APIClient()
    api.force_authenticate(UserFactory())
    assert api.get("/api/v1/events/").status_code == 200
    assert api.get("/api/v1/events/").status_code == 200
    assert api.get("/api/v1/events/").status_code == 429


def test_api_sign_ups_are_limited_per_address(throttle_rates):
    throttle_rates(signup="3/hour")
    assert [signup_api(n).status_code for n in range(4)] == [201, 201, 201, 429]
    assert signup_api(9, ip="10.9.9.9").status_code == 201


def test_the_sign_up_page_is_limited_per_address_and_says_why(client, throttle_rates):
    throttle_rates(signup="2/hour")
    assert signup_page(client, 1).status_code == 302
    client.logout()
    assert signup_page(client, 2).status_code == 302
    client.logout()
    response = signup_page(client, 3)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many sign-ups from your network" in response.content.decode()
    assert not User.objects.filter(username="person3").exists()


def test_the_sign_up_page_and_the_api_share_one_counter(client, throttle_rates):
    throttle_rates(signup="2/hour")
    assert signup_api(1).status_code == 201
    assert signup_page(client, 2).status_code == 302
    assert signup_api(3).status_code == 429


def test_the_token_endpoint_is_limited_per_address(throttle_rates):
    throttle_rates(login="2/min")
    user = UserFactory()
    api = APIClient(REMOTE_ADDR="10.3.3.3")
    for _ in range(2):
        api.post("/api/v1/auth/token/", {"username": user.username, "password": "x"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "x"}, format="json")
    assert response.status_code == 429 and response["Retry-After"]


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(throttle_rates):
    throttle_rates(anon="1/min")
    assert APIClient(REMOTE_ADDR="10.4.4.4").get("/api/v1/events/", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    spoofed = APIClient(REMOTE_ADDR="10.4.4.4").get("/api/v1/events/", HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert spoofed.status_code == 429
