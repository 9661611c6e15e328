"""Sign-up, profile and password reset by email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_signs_up_with_username_email_password_and_country(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "amara",
            "email": "amara@example.org",
            "country": "NG",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="amara")
    assert str(user.country) == "NG"
    assert client.get(reverse("profile")).status_code == 200


def test_sign_up_requires_a_country_and_says_so_on_the_field(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "amara",
            "email": "amara@example.org",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_country_error"' in html
    assert 'aria-describedby="id_country_helptext id_country_error"' in html


def test_sign_up_never_redirects_to_another_site(client):
    response = client.post(
        reverse("signup") + "?next=https://evil.example/",
        {
            "username": "amara",
            "email": "a@example.org",
            "country": "NG",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
    )
    assert response.url == reverse("home")


def test_a_user_edits_their_profile_and_time_zone(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {"first_name": "Ana", "last_name": "", "email": user.email, "country": "PT", "timezone": "Europe/Lisbon"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.timezone == "Europe/Lisbon"
    assert str(user.country) == "PT"


def test_password_reset_by_email_end_to_end(client):
    user = UserFactory(email="reset@example.org")
    response = client.post(reverse("password_reset"), {"email": "reset@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-77")


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_the_api_registers_an_account_and_refuses_a_taken_username(client):
    body = {"username": "kofi", "email": "k@example.org", "password": "long-enough-pass-42", "country": "GH"}
    assert client.post("/api/v1/auth/register/", body, content_type="application/json").status_code == 201
    response = client.post("/api/v1/auth/register/", body, content_type="application/json")
    assert response.status_code == 400
    assert "taken" in response.json()["detail"]


def test_sign_up_offers_the_browsers_time_zone_and_keeps_the_one_chosen(client):
    client.cookies["tz"] = "America%2FSao_Paulo"  # as site.js writes it
    page = client.get(reverse("signup")).content.decode()
    assert re.search(r'<option value="America/Sao_Paulo" selected>', page)
    response = client.post(
        reverse("signup"),
        {
            "username": "bia",
            "email": "bia@example.org",
            "country": "BR",
            "timezone": "America/Manaus",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="bia").timezone == "America/Manaus"


def test_sign_up_refuses_a_zone_that_does_not_exist_on_the_field(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "cai",
            "email": "cai@example.org",
            "country": "FR",
            "timezone": "Mars/Olympus_Mons",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
    )
    assert response.status_code == 200 and not User.objects.filter(username="cai").exists()
    assert "timezone" in response.context["form"].errors
