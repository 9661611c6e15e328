"""The organizers' page of a phase's submissions: a table filtered by status and team, with downloads,
re-scoring and cancelling that come back to the same filtered table."""

from __future__ import annotations

import pytest

from submissions.models import Submission
from tests.factories import make_organizer
from tests.submissions.factories import SubmissionFactory, open_phase, scored, team_in

pytestmark = pytest.mark.django_db


def test_the_organizers_filter_the_table_by_status_and_team(client):
    phase = open_phase()
    alpha, beta = team_in(phase, name="Alpha"), team_in(phase, name="Beta")
    queued = SubmissionFactory(phase=phase, team=alpha)
    done = scored(phase, beta, 0.5)
    client.force_login(make_organizer(phase.challenge.event))
    url = f"/phases/{phase.pk}/all-submissions/"

    page = client.get(url).content.decode()
    assert f"/api/v1/submissions/{queued.pk}/file/" in page and f"/api/v1/submissions/{done.pk}/file/" in page
    only_scored = client.get(url, {"status": "scored"}).content.decode()
    assert f"/api/v1/submissions/{done.pk}/file/" in only_scored
    assert f"/api/v1/submissions/{queued.pk}/file/" not in only_scored
    only_alpha = client.get(url, {"team": alpha.pk}).content.decode()
    assert f"/api/v1/submissions/{queued.pk}/file/" in only_alpha
    assert f"/api/v1/submissions/{done.pk}/file/" not in only_alpha
    assert f"/api/v1/phases/{phase.pk}/all-submissions/archive/?team={alpha.pk}" in only_alpha


def test_the_file_link_downloads_with_the_organizers_session(client):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase)
    client.force_login(make_organizer(phase.challenge.event))
    response = client.get(f"/api/v1/submissions/{submission.pk}/file/")
    assert response.status_code == 200


def test_cancelling_from_the_table_comes_back_to_the_same_filtered_table(client):
    phase = open_phase()
    submission = scored(phase, team_in(phase), 0.5)
    client.force_login(make_organizer(phase.challenge.event))
    back = f"/phases/{phase.pk}/all-submissions/?status=scored"
    response = client.post(f"/submissions/{submission.pk}/cancel/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CANCELLED


def test_it_refuses_a_participant_with_a_page_that_says_why(client):
    phase = open_phase()
    client.force_login(team_in(phase).captain)
    response = client.get(f"/phases/{phase.pk}/all-submissions/")
    assert response.status_code == 403
    assert "Only the organizers of this event can see all of its submissions." in response.content.decode()


def test_arrival_times_are_shown_in_the_events_zone(client):
    phase = open_phase()
    event = phase.challenge.event
    event.timezone = "America/Bogota"
    event.save()
    SubmissionFactory(phase=phase)
    client.force_login(make_organizer(event))
    page = client.get(f"/phases/{phase.pk}/all-submissions/").content.decode()
    assert "UTC−05:00" in page or "UTC-05:00" in page
