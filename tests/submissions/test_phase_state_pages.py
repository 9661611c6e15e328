"""Pages show the phase's state and do not offer what the server would refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from .factories import open_phase, team_in

pytestmark = pytest.mark.django_db


def _closed_phase():
    now = timezone.now()
    return open_phase(opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))


def test_a_closed_phase_does_not_say_the_team_may_still_submit(client):
    # Regression: "Your team may still submit: 3 more today" showed on a closed phase.
    phase = _closed_phase()
    team = team_in(phase)
    client.force_login(team.captain)
    page = client.get(phase.challenge.get_absolute_url()).content.decode()
    assert "may still submit" not in page
    assert "This phase is closed" in page
    assert f'href="/phases/{phase.pk}/submit/"' not in page


def test_the_upload_page_of_a_closed_phase_disables_the_form(client):
    phase = _closed_phase()
    team = team_in(phase)
    client.force_login(team.captain)
    page = client.get(f"/phases/{phase.pk}/submit/").content.decode()
    assert "<fieldset disabled" in page
    assert "may still submit" not in page


def test_the_upload_page_of_an_open_phase_offers_the_form(client):
    phase = open_phase()
    team = team_in(phase)
    client.force_login(team.captain)
    page = client.get(f"/phases/{phase.pk}/submit/").content.decode()
    assert "<fieldset>" in page and "<fieldset disabled" not in page
    assert "may still submit" in page


def test_an_organizer_is_not_offered_team_links_that_lead_nowhere(client):
    from tests.factories import make_organizer

    phase = open_phase()
    organizer = make_organizer(phase.challenge.event)
    client.force_login(organizer)
    page = client.get(f"/phases/{phase.pk}/leaderboard/").content.decode()
    assert "My team&#x27;s submissions" not in page and "My team's submissions" not in page
    assert f'href="/phases/{phase.pk}/submit/"' not in page


def test_the_upload_page_states_the_expected_header_and_an_example_row(client):
    from challenges import services as challenge_services

    phase = open_phase()
    challenge = phase.challenge
    challenge_services.challenge_store_dataset(
        challenge=challenge,
        public_files={"records.csv": b"record_id\nr1\n", "sample_submission.csv": b"record_id,score\nr1,0.5\n"},
        truth=challenge.truth_file.open("rb").read(),
    )
    team = team_in(phase)
    client.force_login(team.captain)
    page = client.get(f"/phases/{phase.pk}/submit/").content.decode()
    assert "<code>record_id,score</code>" in page
    assert "<code>r1,0.5</code>" in page
