from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from communication import services
from communication.models import Delivery, EmailOptOut
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link_path(user, kind="announcement") -> str:
    return "/unsubscribe/" + services.unsubscribe_token(user=user, kind=kind) + "/"


def test_one_click_unsubscribe_works_without_logging_in_and_without_a_csrf_token():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)  # a mail client posting RFC 8058's body, no session
    response = client.post(
        _link_path(user), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert EmailOptOut.objects.filter(user=user, kind="announcement").exists()
    # Twice is harmless.
    assert client.post(_link_path(user)).status_code == 200
    assert EmailOptOut.objects.filter(user=user).count() == 1


def test_opening_the_link_shows_a_button_and_changes_nothing(client):
    user = UserFactory()
    response = client.get(_link_path(user))
    assert response.status_code == 200 and '<form method="post"' in response.content.decode()
    assert not EmailOptOut.objects.exists()


def test_a_forged_or_altered_link_is_refused_with_a_reason(client):
    user = UserFactory()
    path = _link_path(user)
    response = client.post(path[:-6] + "xxxxx/")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not EmailOptOut.objects.exists()


def test_after_unsubscribing_no_announcement_email_is_sent(client, event, organizer, participants):
    reader = participants[0]
    client.post(_link_path(reader))
    announcement = services.announcement_create(event=event, actor=organizer, title="T", body="B")
    services.announcement_send(announcement_id=announcement.pk)
    services.deliveries_email(announcement_id=announcement.pk)
    assert reader.email not in [m.to[0] for m in mail.outbox] and len(mail.outbox) == 2
    assert Delivery.objects.get(user=reader).email == Delivery.Email.SKIPPED


def test_the_email_choices_page_opts_out_and_back_in(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/notifications/email/").status_code == 200
    every_kind = list(EmailOptOut.Kind.values)
    client.post("/notifications/email/", {"wanted": [k for k in every_kind if k != "announcement"]})
    assert set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True)) == {"announcement"}
    client.post("/notifications/email/", {"wanted": every_kind})
    assert not EmailOptOut.objects.filter(user=user).exists()
    client.post("/notifications/email/", {"wanted": ["announcement"]})
    assert set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True)) == {
        "reminder", "submission", "results", "judging", "alert"
    }  # fmt: skip
