"""An event's languages decide which translations an announcement may carry; each recipient gets the
version in their own language (email, notification, banner), else the original."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from communication import services
from communication.forms import AnnouncementForm
from communication.models import Announcement, Notification
from hackplatform.refusals import Refusal
from tests.factories import EventFactory, UserFactory, register

pytestmark = pytest.mark.django_db

SPANISH = {"title": "Plazo cambiado", "body": "El **plazo** cambió."}
PORTUGUESE = {"title": "Prazo alterado", "body": "O prazo mudou."}


def test_an_event_speaks_all_four_languages_by_default_and_its_organizers_change_them_in_the_api(api, event, organizer):
    assert EventFactory().languages == ["en", "es", "pt", "fr"]
    api.force_authenticate(organizer)
    response = api.patch("/api/v1/events/lima/", {"languages": ["es", "en", "es"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["languages"] == ["es", "en"]
    event.refresh_from_db()
    assert event.language_codes == ["en", "es"]
    for wrong in (["de"], [], "en"):
        response = api.patch("/api/v1/events/lima/", {"languages": wrong}, format="json")
        assert response.status_code == 400 and response.json()["detail"].startswith("languages"), wrong
    event.refresh_from_db()
    assert event.languages == ["es", "en"]


def test_the_event_form_edits_its_languages(client, event, organizer):
    client.force_login(organizer)
    page = client.get("/events/lima/edit/").content.decode()
    assert page.count('name="languages"') == 4


def test_the_announcement_form_offers_translations_only_in_the_events_languages(client, event, organizer):
    event.languages = ["en", "pt"]
    event.save(update_fields=["languages"])
    form = AnnouncementForm(event=event)
    assert {name for name in form.fields if name.startswith(("title_", "body_"))} == {
        "title_en", "body_en", "title_pt", "body_pt"
    }  # fmt: skip
    client.force_login(organizer)
    page = client.get("/events/lima/announcements/").content.decode()
    assert 'name="title_pt"' in page and 'name="title_es"' not in page


def test_a_translation_outside_the_events_languages_is_refused_with_a_reason(api, event, organizer):
    event.languages = ["en", "es"]
    event.save(update_fields=["languages"])
    api.force_authenticate(organizer)
    body = {"title": "Deadline moved", "body": "By a day.", "translations": {"fr": {"title": "Délai"}}}
    response = api.post("/api/v1/events/lima/announcements/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_translations" and "“fr”" in response.json()["detail"]
    assert not Announcement.objects.exists()
    with pytest.raises(Refusal) as refused:
        services.announcement_create(
            event=event, actor=organizer, title="x", body="y", translations={"xx": {"title": "?"}}
        )
    assert refused.value.code == "bad_translations"
    later = services.announcement_create(
        event=event,
        actor=organizer,
        title="x",
        body="y",
        send_at=timezone.now() + timedelta(days=1),
    )
    response = api.patch(f"/api/v1/announcements/{later.pk}/", {"translations": {"pt": SPANISH}}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "bad_translations"


def test_each_recipient_gets_the_version_in_their_language_by_email_notification_and_banner(
    api, client, event, organizer, django_capture_on_commit_callbacks
):
    event.languages = ["en", "es", "pt"]
    event.save(update_fields=["languages"])
    spanish = register(event, UserFactory(language="es"))
    portuguese = register(event, UserFactory(language="pt"))
    french = register(event, UserFactory(language="fr"))  # no French version: the original
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_create(
            event=event,
            actor=organizer,
            title="Deadline moved",
            body="The deadline moved.",
            translations={"es": SPANISH, "pt": PORTUGUESE},
        )
    emails = {m.to[0]: m for m in mail.outbox}
    assert "Plazo cambiado" in emails[spanish.email].subject and "El **plazo** cambió." in emails[spanish.email].body
    assert "Prazo alterado" in emails[portuguese.email].subject
    assert "Deadline moved" in emails[french.email].subject and "The deadline moved." in emails[french.email].body

    api.force_authenticate(spanish)
    row = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="es").json()["results"][0]
    assert (row["kind"], row["title"], row["body"]) == ("announcement", "Plazo cambiado", "El **plazo** cambió.")
    api.force_authenticate(french)
    row = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"][0]
    assert row["title"] == "Deadline moved"

    client.force_login(portuguese)
    page = client.get("/events/lima/", HTTP_ACCEPT_LANGUAGE="pt").content.decode()
    assert "Prazo alterado" in page and "Deadline moved" not in page
    client.force_login(spanish)
    page = client.get("/events/lima/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<strong>plazo</strong>" in page


def test_a_language_the_event_dropped_falls_back_to_the_original(event, organizer):
    announcement = services.announcement_create(
        event=event, actor=organizer, title="Deadline moved", body="By a day.", translations={"es": SPANISH}
    )
    assert announcement.text_in("es") == (SPANISH["title"], SPANISH["body"])
    event.languages = ["en"]
    event.save(update_fields=["languages"])
    announcement = Announcement.objects.select_related("event").get(pk=announcement.pk)
    assert announcement.text_in("es") == ("Deadline moved", "By a day.")
    assert Notification.objects.count() == 0  # nobody registered: nobody notified
