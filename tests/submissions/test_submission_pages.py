"""A team's submission pages show times in the event's zone and the viewer's (the organizers' table's rule),
and the leaderboard marks its split and opens on the final ranking once published."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from challenges.templatetags.hack import format_in_zone
from submissions.services import leaderboard_rebuild

from .factories import open_phase, scored, team_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission():
    phase = open_phase()
    event = phase.challenge.event
    event.timezone = "America/Bogota"
    event.save()
    return scored(phase, team_in(phase), 0.5)


def test_the_teams_submission_list_shows_arrival_in_the_events_zone_and_the_viewers(client, submission):
    client.force_login(submission.team.captain)
    client.cookies["tz"] = "America/Sao_Paulo"
    html = client.get(f"/phases/{submission.phase.pk}/my-submissions/").content.decode()
    assert format_in_zone(submission.received_at, "America/Bogota") in html
    assert format_in_zone(submission.received_at, "America/Sao_Paulo") in html


def test_the_submission_page_shows_arrival_and_scoring_times_in_both_zones(client, submission):
    client.force_login(submission.team.captain)
    client.cookies["tz"] = "America/Sao_Paulo"
    html = client.get(f"/submissions/{submission.pk}/").content.decode()
    for moment in (submission.received_at, submission.scored_at):
        assert format_in_zone(moment, "America/Bogota") in html
        assert format_in_zone(moment, "America/Sao_Paulo") in html


def active_split(html: str) -> str:
    links = re.findall(r'<a href="\?split=(\w+)"([^>]*)>', html)
    active = [split for split, attrs in links if 'aria-current="page"' in attrs]
    assert len(active) == 1, links
    assert 'class="active"' in dict(links)[active[0]]
    return active[0]


def test_the_leaderboard_marks_the_split_shown(client):
    phase = open_phase()
    scored(phase, team_in(phase), 0.5)
    leaderboard_rebuild(phase=phase)
    assert active_split(client.get(f"/phases/{phase.pk}/leaderboard/").content.decode()) == "public"


def test_after_publication_the_leaderboard_opens_on_the_private_split(client):
    phase = open_phase()
    scored(phase, team_in(phase), 0.5, 0.9)
    phase.results_published_at = timezone.now()
    phase.save()
    leaderboard_rebuild(phase=phase)
    html = client.get(f"/phases/{phase.pk}/leaderboard/").content.decode()
    assert active_split(html) == "private"
    assert "0.900000" in html
    # The public split is still one click away.
    assert active_split(client.get(f"/phases/{phase.pk}/leaderboard/?split=public").content.decode()) == "public"


def test_the_leaderboard_caption_sits_outside_the_scrolling_box_so_it_wraps(client):
    phase = open_phase()
    scored(phase, team_in(phase), 0.5)
    leaderboard_rebuild(phase=phase)
    html = client.get(f"/phases/{phase.pk}/leaderboard/").content.decode()
    caption = html.index('id="board-caption"')
    box = html.index('<div class="table-wrap">', caption)
    assert caption < box and "<caption" not in html
    assert '<table aria-labelledby="board-caption">' in html
