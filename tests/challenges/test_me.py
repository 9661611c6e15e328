"""GET /api/v1/me/: the caller, and the events where they organize, judge or take part."""

from __future__ import annotations

import pytest

from tests.factories import make_organizer
from tests.submissions.factories import open_phase, team_in

pytestmark = pytest.mark.django_db


def test_me_says_who_the_caller_is_and_their_events_roles_and_teams(api):
    phase = open_phase()
    team = team_in(phase)
    user = team.captain
    other_event = open_phase().challenge.event
    api.force_authenticate(user)
    me = api.get("/api/v1/me/").json()
    assert me["username"] == user.username and me["country"] == "CO"
    assert me["events"] == [
        {
            "slug": phase.challenge.event.slug,
            "name": phase.challenge.event.name,
            "role": "participant",
            "team": {"id": team.pk, "name": team.name},
        }
    ]
    api.force_authenticate(make_organizer(other_event))
    assert [(e["slug"], e["role"], e["team"]) for e in api.get("/api/v1/me/").json()["events"]] == [
        (other_event.slug, "organizer", None)
    ]
    api.force_authenticate(None)
    assert api.get("/api/v1/me/").status_code == 401
