"""Login throttling (django-axes): per username and address, per username, per address; always a cool-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def api_login(username: str, password: str, ip: str = "10.0.0.1"):
    return APIClient(REMOTE_ADDR=ip).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def page_login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture(autouse=True)
def _no_api_rate_limit(throttle_rates):
    # The per-address rate on the token endpoint is tested in tests/accounts/test_throttling.py.
    throttle_rates(login="1000/min", anon="1000/min")


def test_the_api_refuses_the_right_password_after_ten_wrong_ones_with_429_and_retry_after():
    user = UserFactory()
    for _ in range(9):
        assert api_login(user.username, "wrong").status_code == 400
    assert api_login(user.username, "wrong").status_code == 429
    response = api_login(user.username, PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_locked"
    assert "15 minutes" in body["detail"]
    assert int(response["Retry-After"]) == 15 * 60


def test_the_login_page_refuses_the_right_password_after_ten_wrong_ones_and_says_why(client):
    user = UserFactory()
    for _ in range(10):
        page_login(client, user.username, "wrong")
    response = page_login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_the_page_and_the_api_add_up(client):
    user = UserFactory()
    for _ in range(5):
        page_login(client, user.username, "wrong")
    for _ in range(5):
        api_login(user.username, "wrong")
    assert api_login(user.username, PASSWORD).status_code == 429


def test_the_lock_lifts_by_itself_after_the_cool_off(client):
    user = UserFactory()
    for _ in range(10):
        api_login(user.username, "wrong")
    assert api_login(user.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert api_login(user.username, PASSWORD).status_code == 200
    response = page_login(client, user.username, PASSWORD)
    assert response.status_code == 302


def test_another_user_on_the_same_campus_address_is_not_locked_by_someone_elses_typos(client):
    clumsy, neighbour = UserFactory(), UserFactory()
    for _ in range(12):
        api_login(clumsy.username, "wrong", ip="192.0.2.7")
    assert api_login(clumsy.username, PASSWORD, ip="192.0.2.7").status_code == 429
    assert api_login(neighbour.username, PASSWORD, ip="192.0.2.7").status_code == 200
    assert page_login(client, neighbour.username, PASSWORD, ip="192.0.2.7").status_code == 302


def test_the_locked_user_can_still_sign_in_from_another_address_below_the_per_username_limit():
    user = UserFactory()
    for _ in range(10):
        api_login(user.username, "wrong", ip="198.51.100.1")
    assert api_login(user.username, PASSWORD, ip="198.51.100.2").status_code == 200


def test_guessing_one_username_from_many_addresses_locks_it_everywhere():
    user = UserFactory()
    for i in range(30):
        api_login(user.username, "wrong", ip=f"203.0.113.{i + 1}")
    assert api_login(user.username, PASSWORD, ip="203.0.113.200").status_code == 429


def test_spraying_many_usernames_from_one_address_locks_the_address():
    user = UserFactory()
    for i in range(50):
        api_login(f"nobody{i}", "wrong", ip="198.51.100.9")
    assert api_login(user.username, PASSWORD, ip="198.51.100.9").status_code == 429
    assert api_login(user.username, PASSWORD, ip="198.51.100.10").status_code == 200
