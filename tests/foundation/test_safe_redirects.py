"""Every redirect to an address a visitor chooses (`next`) stays on this site."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from hackplatform.web import safe_next_url
from tests.challenges.conftest import login
from tests.factories import EventFactory, PhaseFactory, TermsFactory, UserFactory, make_organizer

HOSTILE = ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", " //evil.example"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _on_site(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("target", HOSTILE)
def test_the_helper_falls_back_for_an_address_off_the_site(target):
    request = RequestFactory().get("/")
    assert safe_next_url(request, target, "/home/") == "/home/"


def test_the_helper_keeps_an_address_on_the_site_and_refuses_http_from_an_https_page():
    assert safe_next_url(RequestFactory().get("/"), "/events/x/?a=1", "/") == "/events/x/?a=1"
    secure = RequestFactory().get("/", secure=True)
    assert safe_next_url(secure, "http://testserver/events/", "/") == "/"
    assert safe_next_url(secure, "https://testserver/events/", "/") == "https://testserver/events/"


@pytest.mark.parametrize("target", HOSTILE)
def test_publishing_results_never_redirects_off_the_site(client, target):
    phase = PhaseFactory()
    login(client, make_organizer(phase.challenge.event))
    response = client.post(reverse("challenges:phase_publish", args=[phase.pk]), {"publish": "1", "next": target})
    assert response.status_code == 302
    assert _on_site(response["Location"]), response["Location"]
    assert response["Location"] == phase.challenge.get_absolute_url()


@pytest.mark.parametrize("target", HOSTILE)
def test_registering_never_redirects_off_the_site(client, target):
    event = EventFactory()
    TermsFactory(event=event)
    login(client, UserFactory())
    response = client.post(
        reverse("challenges:event_register", args=[event.slug]), {"accept_terms": "on"}, QUERY_STRING=f"next={target}"
    )
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_up_and_logging_in_never_redirect_off_the_site(client, target):
    response = client.post(
        reverse("signup"),
        {
            "username": "amara",
            "email": "a@example.org",
            "country": "NG",
            "password1": "long-enough-pass-42",
            "password2": "long-enough-pass-42",
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    client.logout()
    response = client.post(reverse("login"), {"username": "amara", "password": "long-enough-pass-42", "next": target})
    assert response.status_code == 302
    assert _on_site(response["Location"]), response["Location"]


def test_publishing_results_follows_a_next_on_the_site(client):
    phase = PhaseFactory()
    login(client, make_organizer(phase.challenge.event))
    response = client.post(reverse("challenges:phase_publish", args=[phase.pk]), {"publish": "1", "next": "/events/"})
    assert response["Location"] == "/events/"
