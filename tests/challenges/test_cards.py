"""Cards show each deadline once (not in the event's zone, the viewer's and a countdown side by side)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from challenges.templatetags.hack import format_in_zone
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def card_of(html: str, marker: str) -> str:
    """The card (<li class="card"> or <section class="card ...">) that holds `marker`."""
    for match in re.finditer(r'<(li|section) class="card[^"]*"[^>]*>(.*?)</\1>', html, re.S):
        if marker in match.group(2):
            return match.group(2)
    raise AssertionError(f"no card with {marker!r}")


def shown_times(card: str, moment, zones: tuple[str, ...]) -> int:
    """How many times `moment` is written in the card's text (attributes do not count)."""
    text = re.sub(r"<[^>]+>", " ", card)
    return sum(text.count(format_in_zone(moment, zone)) for zone in zones) + text.count("time left")


ZONES = ("America/Bogota", "Europe/Lisbon")


def test_the_event_pages_challenge_card_shows_a_phases_deadline_once(client, phase):
    client.cookies["tz"] = "Europe/Lisbon"
    html = client.get(phase.challenge.event.get_absolute_url()).content.decode()
    card = card_of(html, phase.challenge.title)
    assert shown_times(card, phase.closes_at, ZONES) == 1
    assert "data-deadline" not in card and "your time:" not in card
    # The viewer's zone is the one written; the event's is in the title.
    assert format_in_zone(phase.closes_at, "Europe/Lisbon") in card
    assert f'title="event time: {format_in_zone(phase.closes_at, "America/Bogota")}"' in card


def test_the_challenge_pages_phase_card_shows_each_moment_once(client, phase):
    client.cookies["tz"] = "Europe/Lisbon"
    html = client.get(phase.challenge.get_absolute_url()).content.decode()
    card = card_of(html, phase.name)
    assert shown_times(card, phase.closes_at, ZONES) == 1
    assert shown_times(card, phase.opens_at, ZONES) == 1


def test_the_event_list_card_shows_the_registration_deadline_once(client):
    from datetime import timedelta

    from django.utils import timezone

    event = EventFactory(name="Hack Bogotá", registration_closes_at=timezone.now() + timedelta(days=3))
    client.cookies["tz"] = "Europe/Lisbon"
    html = client.get(reverse("challenges:event_list")).content.decode()
    assert shown_times(card_of(html, "Hack Bogotá"), event.registration_closes_at, ZONES) == 1
