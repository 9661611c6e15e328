"""API tokens (django-rest-knox): hashed, expiring, listed and revoked by their owner, gone with the password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def obtain(user) -> dict:
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def authed(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_the_token_is_stored_only_as_a_hash_and_expires_in_thirty_days():
    user = UserFactory()
    body = obtain(user)
    stored = AuthToken.objects.get(user=user)
    assert body["token"] not in (stored.digest, stored.token_key)
    assert stored.digest != body["token"] and len(stored.digest) == 128
    assert body["id"] == stored.token_key == body["token"][:15]
    assert abs(stored.expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert authed(body["token"]).get("/api/v1/auth/tokens/").status_code == 200


def test_an_expired_token_is_refused():
    user = UserFactory()
    body = obtain(user)
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    response = authed(body["token"]).get("/api/v1/auth/tokens/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_the_owner_lists_their_tokens_by_id_without_the_secret():
    user = UserFactory()
    first, second = obtain(user), obtain(user)
    obtain(UserFactory())  # someone else's
    listed = authed(first["token"]).get("/api/v1/auth/tokens/").json()
    assert sorted(t["id"] for t in listed) == sorted([first["id"], second["id"]])
    assert first["token"] not in str(listed)
    assert set(listed[0]) == {"id", "created", "expiry"}


def test_the_owner_revokes_a_token_and_it_stops_working():
    user = UserFactory()
    keep, drop = obtain(user), obtain(user)
    assert authed(keep["token"]).delete(f"/api/v1/auth/tokens/{drop['id']}/").status_code == 204
    assert authed(drop["token"]).get("/api/v1/auth/tokens/").status_code == 401
    assert authed(keep["token"]).get("/api/v1/auth/tokens/").status_code == 200


def test_nobody_revokes_another_users_token():
    victim = obtain(UserFactory())
    attacker = obtain(UserFactory())
    response = authed(attacker["token"]).delete(f"/api/v1/auth/tokens/{victim['id']}/")
    assert response.status_code == 404
    assert "detail" in response.json()
    assert authed(victim["token"]).get("/api/v1/auth/tokens/").status_code == 200


def test_changing_the_password_on_the_page_revokes_every_token(client):
    user = UserFactory()
    tokens = [obtain(user)["token"] for _ in range(2)]
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"},
    )
    assert response.status_code == 302
    for token in tokens:
        assert authed(token).get("/api/v1/auth/tokens/").status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


def test_resetting_the_password_by_email_revokes_every_token(client):
    user = UserFactory(email="reset-tokens@example.org")
    token = obtain(user)["token"]
    client.post(reverse("password_reset"), {"email": "reset-tokens@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    client.post(
        response.redirect_chain[-1][0], {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"}
    )
    assert authed(token).get("/api/v1/auth/tokens/").status_code == 401


def test_set_password_anywhere_revokes_the_tokens_but_other_saves_do_not():
    user = UserFactory()
    token = obtain(user)["token"]
    user.first_name = "Ana"
    user.save()
    assert authed(token).get("/api/v1/auth/tokens/").status_code == 200
    user.set_password("another-long-pass-12")
    user.save()
    assert authed(token).get("/api/v1/auth/tokens/").status_code == 401


def test_the_profile_page_lists_tokens_and_revokes_one(client):
    user = UserFactory()
    body = obtain(user)
    client.force_login(user)
    html = client.get(reverse("profile")).content.decode()
    assert body["id"] in html and body["token"] not in html
    response = client.post(reverse("token_revoke", args=[body["id"]]), follow=True)
    assert "revoked" in response.content.decode()
    assert not AuthToken.objects.filter(user=user).exists()


def test_the_profile_page_cannot_revoke_someone_elses_token(client):
    victim = obtain(UserFactory())
    client.force_login(UserFactory())
    response = client.post(reverse("token_revoke", args=[victim["id"]]), follow=True)
    assert "no API token with this id" in response.content.decode()
    assert AuthToken.objects.filter(token_key=victim["id"]).exists()


def test_a_user_cannot_pile_up_more_than_twenty_live_tokens(settings):
    user = UserFactory()
    for _ in range(20):
        AuthToken.objects.create(user=user)
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert "Revoke one" in response.json()["detail"]
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    assert obtain(user)["token"]


def test_an_api_call_reads_one_token_row_and_the_hourly_task_deletes_the_expired_ones(django_assert_max_num_queries):
    from accounts.tasks import delete_expired_tokens

    user = UserFactory()
    current = obtain(user)["token"]
    for _ in range(3):
        obtain(user)
    AuthToken.objects.filter(user=user).exclude(token_key=current[:15]).update(
        expiry=timezone.now() - timedelta(seconds=1)
    )
    with django_assert_max_num_queries(2):  # the token (with its user) and the listing itself
        assert authed(current).get("/api/v1/auth/tokens/").status_code == 200
    assert AuthToken.objects.filter(user=user).count() == 4  # nothing deleted on the request path
    assert delete_expired_tokens.delay().get() == 3
    assert list(AuthToken.objects.filter(user=user).values_list("token_key", flat=True)) == [current[:15]]
