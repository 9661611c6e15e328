"""The design's rules that pages must keep (docs/design.md): one primary action per page, empty states
that say what to do, deadlines closing within 24 hours marked as such."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from tests.factories import EventFactory, TermsFactory, register
from tests.submissions.factories import open_phase, team_in

pytestmark = pytest.mark.django_db


def _primary_actions(html: str) -> int:
    return len(re.findall(r'class="[^"]*\bbutton-primary\b', html))


def test_the_event_page_offers_one_primary_action_to_a_visitor_and_to_a_registered_person(client):
    event = EventFactory()
    TermsFactory(event=event)
    assert _primary_actions(client.get(event.get_absolute_url()).content.decode()) == 1
    client.force_login(register(event))
    page = client.get(event.get_absolute_url()).content.decode()
    assert _primary_actions(page) == 1
    assert 'id="create-team-link"' in page


def test_the_upload_and_login_pages_have_one_primary_action(client):
    phase = open_phase()
    team = team_in(phase)
    assert _primary_actions(client.get("/accounts/login/").content.decode()) == 1
    client.force_login(team.captain)
    assert _primary_actions(client.get(f"/phases/{phase.pk}/submit/").content.decode()) == 1


def test_an_empty_submission_list_says_what_to_do_and_links_to_the_upload(client):
    phase = open_phase()
    team = team_in(phase)
    client.force_login(team.captain)
    page = client.get(f"/phases/{phase.pk}/my-submissions/").content.decode()
    assert 'id="no-submissions"' in page
    assert "download the data and upload your first file" in page
    assert f'href="/phases/{phase.pk}/submit/"' in page
    assert _primary_actions(page) == 1


def test_an_empty_leaderboard_says_how_a_team_gets_on_it(client):
    phase = open_phase()
    team = team_in(phase)
    client.force_login(team.captain)
    page = client.get(f"/phases/{phase.pk}/leaderboard/").content.decode()
    assert 'id="empty-board"' in page
    assert f'href="/phases/{phase.pk}/submit/"' in page


def test_a_phase_closing_within_a_day_is_marked_closing_soon(client):
    now = timezone.now()
    soon = open_phase(opens_at=now - timedelta(days=1), closes_at=now + timedelta(hours=3))
    later = open_phase(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=3))
    soon_page = client.get(soon.challenge.get_absolute_url()).content.decode()
    later_page = client.get(later.challenge.get_absolute_url()).content.decode()
    assert "deadline-soon" in soon_page and "closing soon" in soon_page
    assert "deadline-open" in later_page and "closing soon" not in later_page


def test_deadline_state_names_upcoming_open_soon_and_closed():
    now = timezone.now()
    template = Template("{% load hack %}{% deadline_state closes opens %}")

    def state(closes, opens=None):
        return template.render(Context({"closes": closes, "opens": opens}))

    assert state(now + timedelta(days=2), now + timedelta(days=1)) == "upcoming"
    assert state(now + timedelta(days=2)) == "open"
    assert state(now + timedelta(hours=23)) == "soon"
    assert state(now - timedelta(seconds=1)) == "closed"
