"""Email addresses: one account per address (any case), verified before notifications, changes confirmed by the new address."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/email/confirm/\S+/)", message.body).group(1)


def sign_up(client, username: str, email: str):
    return client.post(
        reverse("signup"),
        {
            "username": username,
            "email": email,
            "country": "NG",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
        },
    )


def profile_post(client, user, email: str):
    return client.post(
        reverse("profile"),
        {"first_name": "", "last_name": "", "email": email, "country": "PT", "timezone": ""},
        follow=True,
    )


# One account per address ------------------------------------------------------------------------


def test_the_database_refuses_a_second_account_with_the_same_address_in_another_case():
    UserFactory(email="Ana@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="other", email="ana@example.ORG")


def test_the_sign_up_page_refuses_a_taken_address_whatever_its_case_and_says_so_on_the_field(client):
    UserFactory(email="ana@example.org")
    response = sign_up(client, "newcomer", "ANA@example.org")
    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    assert 'id="id_email_error"' in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_the_api_refuses_a_taken_address_with_a_clear_message(client):
    UserFactory(email="kofi@example.org")
    body = {"username": "kofi2", "email": "Kofi@example.org", "password": "long-enough-pass-42", "country": "GH"}
    response = client.post("/api/v1/auth/register/", body, content_type="application/json")
    assert response.status_code == 400
    assert "already exists" in response.json()["detail"]


def test_the_profile_refuses_an_address_another_account_uses(client):
    UserFactory(email="taken@example.org")
    user = UserFactory()
    client.force_login(user)
    response = profile_post(client, user, "TAKEN@example.org")
    assert "An account with this email address already exists." in response.content.decode()
    user.refresh_from_db()
    assert user.pending_email == "" and user.email != "taken@example.org"
    assert mail.outbox == []


# Verification ----------------------------------------------------------------------------------


def test_a_new_account_gets_a_link_that_verifies_its_address(client, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://hack.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "amara", "amara@example.org")
    user = User.objects.get(username="amara")
    assert user.email_verified_at is None and not user.can_receive_email
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amara@example.org"]
    assert "https://hack.example.org/accounts/email/confirm/" in mail.outbox[0].body
    response = client.get(link_in(mail.outbox[0]), follow=True)
    assert "is confirmed" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None and user.can_receive_email


def test_an_api_sign_up_also_gets_the_link(client, django_capture_on_commit_callbacks):
    body = {"username": "kojo", "email": "kojo@example.org", "password": "long-enough-pass-42", "country": "GH"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/auth/register/", body, content_type="application/json").status_code == 201
    assert mail.outbox[0].to == ["kojo@example.org"] and "/accounts/email/confirm/" in mail.outbox[0].body


def test_the_link_expires_after_three_days(client, settings):
    user = UserFactory(email_verified_at=None)
    link = services.email_link(user=user, address=user.email)
    settings.EMAIL_LINK_MAX_AGE = -1  # as if three days had passed
    response = client.get("/" + link.split("/", 3)[3])
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_forged_or_altered_link_is_refused(client):
    user = UserFactory(email_verified_at=None)
    forged = signing.dumps({"u": user.pk, "e": user.email}, salt="another-salt", compress=True)
    response = client.get(reverse("email_confirm", args=[forged]))
    assert response.status_code == 400 and "not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_an_unverified_user_is_told_on_the_profile_and_can_ask_for_the_link_again(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    assert 'id="email-unverified"' in client.get(reverse("profile")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("email_resend"), follow=True)
    assert "We sent a new link" in response.content.decode()
    assert mail.outbox[0].to == [user.email]
    client.get(link_in(mail.outbox[0]))
    assert 'id="email-unverified"' not in client.get(reverse("profile")).content.decode()


def test_asking_for_the_link_again_is_rate_limited(client, throttle_rates, django_capture_on_commit_callbacks):
    throttle_rates(email="2/hour")
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            response = client.post(reverse("email_resend"), follow=True)
    assert len(mail.outbox) == 2
    assert "Too many emails asked for" in response.content.decode()


# Changing the address ----------------------------------------------------------------------------


def test_a_new_address_waits_for_its_link_and_the_old_one_stays_in_force(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="old@example.org")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = profile_post(client, user, "new@example.org")
    assert "your address changes once you open it" in response.content.decode()
    user.refresh_from_db()
    assert user.email == "old@example.org" and user.pending_email == "new@example.org" and user.can_receive_email
    confirm, notice = sorted(mail.outbox, key=lambda m: m.to[0] != "new@example.org")
    assert confirm.to == ["new@example.org"] and "/accounts/email/confirm/" in confirm.body
    assert notice.to == ["old@example.org"] and "new@example.org" in notice.body
    assert "/accounts/email/confirm/" not in notice.body
    client.get(link_in(confirm))
    user.refresh_from_db()
    assert user.email == "new@example.org" and user.pending_email == "" and user.email_verified_at is not None


def test_the_old_addresss_link_cannot_confirm_the_new_one(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="old@example.org", email_verified_at=None)
    old_link = services.email_link(user=user, address="old@example.org")
    services.email_change_request(user=user, new_email="new@example.org")
    client.get("/" + old_link.split("/", 3)[3])
    user.refresh_from_db()
    assert user.email == "old@example.org" and user.pending_email == "new@example.org"


def test_a_link_for_an_address_no_longer_on_the_account_is_refused(client):
    user = UserFactory(email="old@example.org")
    services.email_change_request(user=user, new_email="first@example.org")
    stale = services.email_link(user=user, address="first@example.org")
    services.email_change_request(user=user, new_email="second@example.org")
    response = client.get("/" + stale.split("/", 3)[3])
    assert response.status_code == 400 and "no longer on your account" in response.content.decode()
    user.refresh_from_db()
    assert user.email == "old@example.org"


def test_a_pending_address_someone_else_took_meanwhile_is_refused_at_confirmation(client):
    user = UserFactory(email="old@example.org")
    services.email_change_request(user=user, new_email="contested@example.org")
    link = services.email_link(user=user, address="contested@example.org")
    UserFactory(email="Contested@example.org")
    response = client.get("/" + link.split("/", 3)[3])
    assert response.status_code == 400 and "Another account now uses" in response.content.decode()
    user.refresh_from_db()
    assert user.email == "old@example.org"


def test_the_change_can_be_cancelled(client):
    user = UserFactory()
    services.email_change_request(user=user, new_email="new@example.org")
    client.force_login(user)
    client.post(reverse("email_change_cancel"))
    user.refresh_from_db()
    assert user.pending_email == ""


def test_the_service_refuses_a_taken_address():
    UserFactory(email="taken@example.org")
    with pytest.raises(ValidationError, match="already exists"):
        services.email_change_request(user=UserFactory(), new_email="Taken@Example.org")


def test_the_demo_users_are_verified():
    from django.core.management import call_command

    call_command("seed_demo", force=True, verbosity=0)
    assert all(u.can_receive_email for u in User.objects.filter(username__in=["organizer", "alice", "bob", "carol"]))
