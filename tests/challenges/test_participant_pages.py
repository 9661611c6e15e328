"""The participant's journey through the web pages: browse, register, form a team, get the data."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from challenges import services
from challenges.models import Event, Registration, Team, TeamMembership
from tests.factories import EventFactory, PhaseFactory, TeamFactory, UserFactory, add_member, register

from .conftest import login, png_bytes

pytestmark = pytest.mark.django_db


def test_published_events_are_listed_and_drafts_are_not(client):
    EventFactory(name="Open hackathon")
    EventFactory(name="Secret draft", visibility=Event.Visibility.DRAFT)
    html = client.get(reverse("challenges:event_list")).content.decode()
    assert "Open hackathon" in html
    assert "Secret draft" not in html


def test_the_event_page_shows_deadlines_in_the_event_zone_and_the_viewers_with_a_countdown(client, phase):
    event = phase.challenge.event
    client.cookies["tz"] = "Europe/Lisbon"
    html = client.get(event.get_absolute_url()).content.decode()
    assert "America/Bogota (UTC\u221205:00)" in html
    assert "your time:" in html
    assert "Europe/Lisbon" in html
    assert "data-deadline=" in html


def test_an_aoe_event_shows_anywhere_on_earth(client):
    event = EventFactory(timezone="Etc/GMT+12", registration_closes_at=timezone.now() + timedelta(days=3))
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Anywhere on Earth (UTC\u221212)" in html


def test_markdown_description_is_sanitized(client):
    event = EventFactory(
        description="**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_a_participant_registers_by_accepting_the_terms(client, event):
    user = login(client, UserFactory())
    url = reverse("challenges:event_register", args=[event.slug])
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Tick the box to accept" in response.content.decode()
    assert not Registration.objects.filter(user=user).exists()

    response = client.post(url, {"accept_terms": "on"})
    assert response.status_code == 302
    registration = Registration.objects.get(user=user, event=event)
    assert registration.terms == event.current_terms
    assert registration.terms_accepted_at is not None


def test_a_new_terms_version_asks_for_reacceptance_and_records_it(client, event, organizer):
    user = register(event, UserFactory())
    services.terms_publish(event=event, actor=organizer, text="Version two")
    login(client, user)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "new version of the data-use agreement" in html
    client.post(reverse("challenges:event_register", args=[event.slug]), {"accept_terms": "on"})
    registration = Registration.objects.get(user=user, event=event)
    assert registration.terms.version == 2
    assert registration.accepted_current_terms()


def test_a_participant_creates_a_team_with_a_logo_and_gets_an_invite_link(client, event):
    user = login(client, register(event, UserFactory()))
    response = client.post(
        reverse("challenges:team_create", args=[event.slug]),
        {"name": "Los Datos", "country": "MX", "logo": SimpleUploadedFile("logo.png", png_bytes((900, 600)))},
    )
    team = Team.objects.get(name="Los Datos")
    assert response.status_code == 302
    assert team.captain == user
    assert team.logo.name.endswith(".png")
    html = client.get(reverse("challenges:team_detail", args=[team.pk])).content.decode()
    assert team.join_code in html
    assert reverse("challenges:team_join_link", args=[event.slug, team.join_code]) in html


def test_a_hostile_logo_is_refused_on_the_form_not_with_a_server_error(client, event):
    login(client, register(event, UserFactory()))
    response = client.post(
        reverse("challenges:team_create", args=[event.slug]),
        {"name": "Evil", "country": "MX", "logo": SimpleUploadedFile("logo.png", b"<?php echo 1; ?>")},
    )
    assert response.status_code == 200
    assert "not an image we can read" in response.content.decode()
    assert not Team.objects.filter(name="Evil").exists()


def test_a_participant_joins_with_the_code_and_through_the_invite_link(client, event):
    team = TeamFactory(event=event)
    first = login(client, register(event, UserFactory()))
    client.post(reverse("challenges:team_join", args=[event.slug]), {"join_code": team.join_code})
    assert TeamMembership.objects.filter(team=team, user=first).exists()

    client.logout()
    second = login(client, register(event, UserFactory()))
    link = reverse("challenges:team_join_link", args=[event.slug, team.join_code])
    assert team.name in client.get(link).content.decode()
    client.post(link)
    assert TeamMembership.objects.filter(team=team, user=second).exists()


def test_the_invite_link_sends_an_unregistered_user_to_register_first(client, event):
    team = TeamFactory(event=event)
    login(client, UserFactory())
    link = reverse("challenges:team_join_link", args=[event.slug, team.join_code])
    html = client.get(link).content.decode()
    assert "First register" in html
    response = client.post(
        reverse("challenges:event_register", args=[event.slug]) + "?next=" + link, {"accept_terms": "on"}
    )
    assert response.url == link


def test_a_participant_cannot_join_a_full_team_and_is_told_why(client, event):
    team = TeamFactory(event=event)  # team_size_max = 3
    add_member(team)
    add_member(team)
    login(client, register(event, UserFactory()))
    response = client.post(
        reverse("challenges:team_join", args=[event.slug]), {"join_code": team.join_code}, follow=True
    )
    assert "This team is full" in response.content.decode()
    assert team.memberships.count() == 3


def test_a_participant_cannot_join_two_teams_in_one_event(client, event):
    mine, other = TeamFactory(event=event), TeamFactory(event=event)
    login(client, mine.captain)
    response = client.post(
        reverse("challenges:team_join", args=[event.slug]), {"join_code": other.join_code}, follow=True
    )
    assert "already in a team" in response.content.decode()
    assert not other.memberships.filter(user=mine.captain).exists()


def test_a_captain_hands_over_and_leaves(client, event):
    team = TeamFactory(event=event)
    member = add_member(team)
    login(client, team.captain)
    client.post(reverse("challenges:team_transfer", args=[team.pk]), {"new_captain": member.pk})
    team.refresh_from_db()
    assert team.captain == member
    client.post(reverse("challenges:team_leave", args=[team.pk]))
    assert list(team.memberships.values_list("user", flat=True)) == [member.pk]


def test_teams_lock_when_the_last_phase_closed_and_the_page_says_so(client, event, challenge_with_data):
    PhaseFactory(
        challenge=challenge_with_data,
        opens_at=timezone.now() - timedelta(days=5),
        closes_at=timezone.now() - timedelta(days=1),
    )
    team = TeamFactory(event=event)
    user = login(client, register(event, UserFactory()))
    response = client.post(
        reverse("challenges:team_join", args=[event.slug]), {"join_code": team.join_code}, follow=True
    )
    assert "Teams are locked" in response.content.decode()
    assert not team.memberships.filter(user=user).exists()


def test_a_registered_participant_downloads_the_zip_without_the_truth(client, phase):
    event = phase.challenge.event
    login(client, register(event, UserFactory()))
    response = client.get(reverse("challenges:phase_dataset", args=[phase.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert "sample_submission.csv" in names
    assert not any("truth" in n for n in names)


def test_the_data_is_refused_before_registration_and_after_new_terms(client, phase, organizer):
    event = phase.challenge.event
    user = login(client, UserFactory())
    url = reverse("challenges:phase_dataset", args=[phase.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert "Register for this event" in response.content.decode()

    register(event, user)
    services.terms_publish(event=event, actor=organizer, text="v2")
    response = client.get(url)
    assert response.status_code == 403
    assert "accept the new version" in response.content.decode()


def test_an_anonymous_visitor_cannot_download_the_data(client, phase):
    assert client.get(reverse("challenges:phase_dataset", args=[phase.pk])).status_code == 403


def test_the_challenge_page_offers_the_download_to_registered_participants(client, phase):
    challenge = phase.challenge
    login(client, register(challenge.event, UserFactory()))
    html = client.get(challenge.get_absolute_url()).content.decode()
    assert reverse("challenges:phase_dataset", args=[phase.pk]) in html
    assert "ranked by average precision" in html


def test_the_truth_file_has_no_url(phase):
    challenge = phase.challenge
    assert challenge.truth_file.storage.base_url == "/no-public-url/"
    assert not challenge.truth_file.name.startswith("/")


def test_an_invite_only_event_is_hidden_without_the_link_and_open_with_it(client):
    event = EventFactory(visibility=Event.Visibility.INVITE_ONLY)
    user = login(client, UserFactory())
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(event.get_absolute_url() + "?invite=" + event.invite_token).status_code == 200
    client.post(reverse("challenges:event_register", args=[event.slug]), {"accept_terms": "on"})
    assert Registration.objects.filter(user=user, event=event).exists()
    assert client.get(event.get_absolute_url()).status_code == 200  # registered: visible from now on


def test_a_draft_is_visible_to_its_organizers_only(client):
    event = EventFactory(visibility=Event.Visibility.DRAFT)
    login(client, UserFactory())
    assert client.get(event.get_absolute_url()).status_code == 404


def test_the_challenge_page_links_the_submission_pages_for_a_team_member(client, phase):
    from challenges.templatetags.hack import url_or_empty

    team = TeamFactory(event=phase.challenge.event)
    login(client, team.captain)
    html = client.get(phase.challenge.get_absolute_url()).content.decode()
    for name in ("submissions:phase_submit", "submissions:phase_leaderboard", "submissions:my_submissions"):
        url = url_or_empty(name, phase.pk)
        assert url
        assert url in html
