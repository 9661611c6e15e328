"""The organizer's journey through the web pages: create an event, terms, challenges, phases, dashboard."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from challenges import hooks
from challenges.models import AuditLog, Challenge, Event, EventRole, Phase
from tests.chart_images import chart_images
from tests.factories import (
    ChallengeFactory,
    EventFactory,
    PhaseFactory,
    TeamFactory,
    UserFactory,
    event_creator,
    register,
)

from .conftest import login, png_bytes

pytestmark = pytest.mark.django_db


def _event_form(**overrides):
    data = {
        "name": "Hack Lisboa",
        "slug": "hack-lisboa",
        "description": "A *fine* event",
        "timezone": "Europe/Lisbon",
        "registration_opens_at": "2030-03-01T09:00",
        "registration_closes_at": "2030-03-20T18:00",
        "team_size_min": "1",
        "team_size_max": "4",
        "max_teams": "",
        "visibility": "published",
        "roster_visibility": "participants",
        "code_of_conduct": "Be kind.",
    }
    data.update(overrides)
    return data


def test_an_event_creator_creates_an_event_with_times_in_its_zone_and_a_banner(client):
    user = login(client, event_creator())
    data = _event_form(banner=SimpleUploadedFile("banner.jpg", png_bytes((2400, 800), fmt="JPEG")))
    response = client.post(reverse("challenges:event_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="hack-lisboa")
    assert EventRole.objects.filter(event=event, user=user, role="organizer").exists()
    # 18:00 in Lisbon in March 2030 (before the DST change on the 31st) is 18:00 UTC.
    assert event.registration_closes_at == datetime(2030, 3, 20, 18, 0, tzinfo=UTC)
    assert event.banner.name.endswith(".jpg")
    assert event.banner_thumbnail.name


def test_a_participant_without_the_right_cannot_create_events(client):
    login(client, UserFactory())
    response = client.post(reverse("challenges:event_create"), _event_form())
    assert response.status_code == 403
    assert "right to create events" in response.content.decode()
    assert not Event.objects.filter(slug="hack-lisboa").exists()


def test_site_staff_can_create_events(client):
    login(client, UserFactory(is_staff=True))
    assert client.post(reverse("challenges:event_create"), _event_form()).status_code == 302


def test_a_decompression_bomb_banner_is_refused_on_the_form(client, settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    login(client, event_creator())
    data = _event_form(banner=SimpleUploadedFile("bomb.png", png_bytes((4000, 4000), mode="L")))
    response = client.post(reverse("challenges:event_create"), data)
    assert response.status_code == 200
    assert "too many pixels" in response.content.decode()


def test_a_time_skipped_by_daylight_saving_is_refused(client):
    login(client, event_creator())
    response = client.post(reverse("challenges:event_create"), _event_form(registration_closes_at="2030-03-31T01:30"))
    assert response.status_code == 200
    assert "does not exist in the event" in response.content.decode()


def test_an_organizer_edits_the_event_and_the_change_is_audited(client, event, organizer):
    login(client, organizer)
    data = _event_form(name="Renamed", slug=event.slug, timezone="Etc/GMT+12", visibility="invite_only")
    response = client.post(reverse("challenges:event_edit", args=[event.slug]), data)
    assert response.status_code == 302, response.content.decode()[-4000:]
    event.refresh_from_db()
    assert event.name == "Renamed"
    assert event.is_aoe
    assert AuditLog.objects.filter(event=event, action="event_update").exists()


def test_a_participant_cannot_open_or_post_the_organizer_pages(client, event, phase):
    login(client, register(event, UserFactory()))
    challenge = phase.challenge
    for url in (
        reverse("challenges:event_edit", args=[event.slug]),
        reverse("challenges:event_dashboard", args=[event.slug]),
        reverse("challenges:event_terms", args=[event.slug]),
        reverse("challenges:event_roles", args=[event.slug]),
        reverse("challenges:challenge_create", args=[event.slug]),
        reverse("challenges:phase_create", args=[event.slug, challenge.slug]),
        reverse("challenges:export_participants", args=[event.slug]),
        reverse("challenges:export_teams", args=[event.slug]),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("challenges:event_edit", args=[event.slug]), _event_form(name="Hacked")).status_code == 403
    )
    assert client.post(reverse("challenges:phase_publish", args=[phase.pk]), {"publish": "1"}).status_code == 403
    assert client.post(reverse("challenges:roster_toggle", args=[event.slug]), {"unlocked": "1"}).status_code == 403
    event.refresh_from_db()
    assert event.name != "Hacked"


def test_an_organizer_of_one_event_cannot_manage_another(client, event, organizer):
    other = EventFactory()
    login(client, organizer)
    assert client.get(reverse("challenges:event_dashboard", args=[other.slug])).status_code == 403


def test_an_organizer_publishes_a_new_terms_version(client, event, organizer):
    login(client, organizer)
    client.post(reverse("challenges:event_terms", args=[event.slug]), {"text": "New rules"})
    assert event.current_terms.version == 2
    assert event.current_terms.text == "New rules"


def test_an_organizer_adds_a_challenge_with_a_generated_dataset(client, event, organizer):
    login(client, organizer)
    response = client.post(
        reverse("challenges:challenge_create", args=[event.slug]),
        {
            "kind": "network",
            "title": "Rings",
            "dataset_source": "generated",
            "dataset_seed": "7",
            "dataset_size": "small",
        },
    )
    assert response.status_code == 302
    challenge = Challenge.objects.get(event=event, slug="rings")
    assert challenge.has_dataset
    assert challenge.dataset_seed == 7
    names = zipfile.ZipFile(challenge.public_archive.open("rb")).namelist()
    assert "sample_submission.csv" in names


@pytest.fixture
def no_truth_validator():
    with hooks.truth_validator.overridden(None):
        yield


def test_an_organizer_uploads_a_dataset_and_a_bad_truth_header_is_refused(client, event, organizer, no_truth_validator):
    login(client, organizer)
    url = reverse("challenges:challenge_create", args=[event.slug])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("data/records.csv", "record_id\nr1\n")
        z.writestr("data/sample_submission.csv", "record_id,score\nr1,0\n")
    base = {"kind": "detection", "title": "Flags", "dataset_source": "uploaded", "dataset_size": "small"}
    bad = client.post(
        url,
        {
            **base,
            "truth_file": SimpleUploadedFile("truth.csv", b"id,is_bad\nr1,1\n"),
            "public_files": SimpleUploadedFile("data.zip", archive.getvalue()),
        },
    )
    assert bad.status_code == 200
    assert "header must be" in bad.content.decode()
    assert not Challenge.objects.filter(slug="flags").exists()

    good = client.post(
        url,
        {
            **base,
            "truth_file": SimpleUploadedFile("truth.csv", b"record_id,label,split\nr1,1,public\n"),
            "public_files": SimpleUploadedFile("data.zip", archive.getvalue()),
        },
    )
    assert good.status_code == 302
    challenge = Challenge.objects.get(slug="flags")
    assert challenge.dataset_source == "uploaded"
    assert sorted(zipfile.ZipFile(challenge.public_archive.open("rb")).namelist()) == [
        "records.csv",
        "sample_submission.csv",
    ]


def test_an_uploaded_truth_goes_through_the_registered_validator(client, event, organizer):
    calls = []

    def validator(kind, fileobj, params):
        calls.append(kind)
        raise ValueError("line 2: label must be 0 or 1")

    with hooks.truth_validator.overridden(validator):
        login(client, organizer)
        response = client.post(
            reverse("challenges:challenge_create", args=[event.slug]),
            {
                "kind": "detection",
                "title": "Flags",
                "dataset_source": "uploaded",
                "dataset_size": "small",
                "truth_file": SimpleUploadedFile("truth.csv", b"record_id,label,split\nr1,7,public\n"),
                "public_files": SimpleUploadedFile("sample_submission.csv", b"record_id,score\n"),
            },
        )
    assert calls == ["detection"]
    assert "label must be 0 or 1" in response.content.decode()


def test_an_organizer_adds_a_phase_with_times_typed_in_the_event_zone(client, event, organizer):
    challenge = ChallengeFactory(event=event)
    login(client, organizer)
    response = client.post(
        reverse("challenges:phase_create", args=[event.slug, challenge.slug]),
        {
            "name": "Round 1",
            "opens_at": "2030-05-01T09:00",
            "closes_at": "2030-05-10T23:59",
            "grace_minutes": "15",
            "daily_limit": "5",
            "total_limit": "",
            "leaderboard_mode": "best",
            "public_leaderboard": "on",
            "order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    phase = Phase.objects.get(challenge=challenge)
    assert phase.opens_at == datetime(2030, 5, 1, 14, 0, tzinfo=UTC)  # Bogotá is UTC-5
    assert phase.grace_seconds == 900
    assert phase.daily_limit == 5
    assert phase.total_limit is None

    edit = client.get(reverse("challenges:phase_edit", args=[event.slug, challenge.slug, phase.pk])).content.decode()
    assert 'value="2030-05-01T09:00"' in edit


def test_a_phase_that_closes_before_it_opens_is_refused_on_the_field(client, event, organizer):
    challenge = ChallengeFactory(event=event)
    login(client, organizer)
    response = client.post(
        reverse("challenges:phase_create", args=[event.slug, challenge.slug]),
        {
            "name": "R",
            "opens_at": "2030-05-10T09:00",
            "closes_at": "2030-05-01T09:00",
            "grace_minutes": "0",
            "leaderboard_mode": "best",
            "order": "0",
        },
    )
    assert response.status_code == 200
    assert "must close after it opens" in response.content.decode()


def test_it_rejects_a_phase_time_outside_the_years_an_event_can_use_on_the_field(client, event, organizer):
    # 9999-12-31 23:00 in Bogotá is past datetime's last year in UTC: it was a server error.
    challenge = ChallengeFactory(event=event)
    login(client, organizer)
    response = client.post(
        reverse("challenges:phase_create", args=[event.slug, challenge.slug]),
        {
            "name": "R",
            "opens_at": "2030-05-10T09:00",
            "closes_at": "9999-12-31T23:00",
            "grace_minutes": "0",
            "leaderboard_mode": "best",
            "order": "0",
        },
    )
    assert response.status_code == 200
    assert "between the years 2000 and 2999" in response.content.decode()
    assert not Phase.objects.filter(challenge=challenge).exists()


def test_publishing_results_sends_the_organizer_back_to_this_site_only(client, organizer, phase):
    login(client, organizer)
    url = reverse("challenges:phase_publish", args=[phase.pk])
    response = client.post(url, {"publish": "1", "next": "https://evil.example/phish"})
    assert response.status_code == 302
    assert response["Location"] == phase.challenge.get_absolute_url()
    response = client.post(url, {"publish": "0", "next": "//evil.example/phish"})
    assert response["Location"] == phase.challenge.get_absolute_url()
    response = client.post(url, {"publish": "1", "next": "/events/"})
    assert response["Location"] == "/events/"


def test_an_organizer_publishes_results_and_overrides_the_roster_lock_with_an_audit(client, event, organizer, phase):
    login(client, organizer)
    client.post(reverse("challenges:phase_publish", args=[phase.pk]), {"publish": "1"})
    phase.refresh_from_db()
    assert phase.results_published
    client.post(reverse("challenges:roster_toggle", args=[event.slug]), {"unlocked": "1"})
    event.refresh_from_db()
    assert event.roster_unlocked
    assert AuditLog.objects.filter(event=event, action="roster_unlock", actor=organizer).exists()
    # The dashboard's audit log shows each action as a label in the viewer's language, not its code.
    AuditLog.objects.create(event=event, actor=organizer, action="some_plugin_action")
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    assert "Rosters unlocked" in html and "Results published" in html
    assert "roster_unlock" not in html
    assert "some_plugin_action" in html  # an action without a label is shown by its code
    client.cookies["django_language"] = "es"
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    assert "Equipos desbloqueados" in html


def test_an_organizer_invites_a_judge_by_username(client, event, organizer):
    judge = UserFactory(username="jurado")
    login(client, organizer)
    client.post(reverse("challenges:event_roles", args=[event.slug]), {"username": "jurado", "role": "judge"})
    assert EventRole.objects.filter(event=event, user=judge, role="judge").exists()
    response = client.post(
        reverse("challenges:event_roles", args=[event.slug]), {"username": "nobody", "role": "judge"}
    )
    assert "must sign up first" in response.content.decode()


def test_the_dashboard_shows_charts_teams_phases_and_the_registered_panels(client, event, organizer, phase):
    TeamFactory(event=event, name="Equipo Sur")
    register(event, UserFactory(country="FR"))
    hooks.dashboard_panels.append(lambda request, ev: "<p id='sub-panel'>submissions chart</p>")
    try:
        login(client, organizer)
        html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    finally:
        hooks.dashboard_panels.pop()
    by_country, per_day = [alt for alt, _svg in chart_images(html)][:2]
    assert by_country.startswith("Registrations by country: ") and "France (FR) 1" in by_country
    assert per_day.startswith(f"Registrations per day: {date_format(timezone.localdate(), 'DATE_FORMAT')}: ")
    assert "France (FR)" in html
    assert "Equipo Sur" in html
    assert phase.name in html
    assert "sub-panel" in html


def test_csv_exports_list_participants_and_teams(client, event, organizer):
    team = TeamFactory(event=event, name="=HYPERLINK(1)")
    login(client, organizer)
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("challenges:export_participants", args=[event.slug])).content.decode())
        )
    )
    assert rows[0][:3] == ["username", "email", "country"]
    assert team.captain.username in [r[0] for r in rows[1:]]
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("challenges:export_teams", args=[event.slug])).content.decode()))
    )
    assert rows[1][1] == "'=HYPERLINK(1)"  # neutralized spreadsheet formula


def test_the_organizer_sees_the_draft_and_can_download_the_data_without_registering(client, organizer, phase):
    event = phase.challenge.event
    Event.objects.filter(pk=event.pk).update(visibility=Event.Visibility.DRAFT)
    login(client, organizer)
    assert client.get(event.get_absolute_url()).status_code == 200
    assert client.get(reverse("challenges:phase_dataset", args=[phase.pk])).status_code == 200


def test_the_challenge_page_links_a_phase_that_is_only_upcoming_without_the_download(
    client, event, challenge_with_data
):
    from datetime import timedelta

    from django.utils import timezone

    phase = PhaseFactory(
        challenge=challenge_with_data,
        opens_at=timezone.now() + timedelta(days=2),
        closes_at=timezone.now() + timedelta(days=9),
    )
    login(client, register(event, UserFactory()))
    response = client.get(reverse("challenges:phase_dataset", args=[phase.pk]))
    assert response.status_code == 403
    assert "when the phase opens" in response.content.decode()


def test_every_organizer_page_renders_for_the_organizer(client, event, organizer, phase):
    challenge = phase.challenge
    login(client, organizer)
    for url in (
        reverse("challenges:event_create"),
        reverse("challenges:event_edit", args=[event.slug]),
        reverse("challenges:event_dashboard", args=[event.slug]),
        reverse("challenges:event_terms", args=[event.slug]),
        reverse("challenges:event_roles", args=[event.slug]),
        reverse("challenges:challenge_create", args=[event.slug]),
        reverse("challenges:challenge_edit", args=[event.slug, challenge.slug]),
        reverse("challenges:phase_create", args=[event.slug, challenge.slug]),
        reverse("challenges:phase_edit", args=[event.slug, challenge.slug, phase.pk]),
        challenge.get_absolute_url(),
        event.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code in (200, 403), url  # 403: event_create needs the creator right
    assert client.get(reverse("challenges:event_create")).status_code == 403


def test_an_event_without_a_slug_gets_one_from_its_name(client):
    login(client, event_creator())
    response = client.post(reverse("challenges:event_create"), _event_form(name="Hackatón Bogotá 2027", slug=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Event.objects.filter(slug="hackaton-bogota-2027").exists()


def test_a_missing_page_is_the_sites_own_page_not_found(client):
    response = client.get("/events/no-such-event-here/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and 'class="site-header"' in page
