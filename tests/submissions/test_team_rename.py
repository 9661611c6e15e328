"""Leaderboard rows copy the team's name and country: renaming a team rebuilds the boards that list it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges import services as challenge_services
from challenges.models import AuditLog
from submissions.models import LeaderboardEntry
from submissions.services import leaderboard_rebuild
from tests.challenges.conftest import png_bytes

from .factories import open_phase, scored, team_in

pytestmark = pytest.mark.django_db


def board_names(api, phase) -> list[tuple[str, str]]:
    response = api.get(f"/api/v1/phases/{phase.pk}/leaderboard/")
    assert response.status_code == 200, response.json()
    return [(row["team"]["name"], row["team"]["country"]) for row in response.json()["results"]]


def test_the_leaderboard_api_shows_the_new_name_after_a_rename_through_the_api(api):
    phase = open_phase()
    team, other = team_in(phase, name="Old name", country="BR"), team_in(phase, name="Other", country="CO")
    scored(phase, team, 0.9)
    scored(phase, other, 0.5)
    leaderboard_rebuild(phase=phase)
    assert board_names(api, phase) == [("Old name", "BR"), ("Other", "CO")]  # and now cached

    api.force_authenticate(team.captain)
    response = api.patch(f"/api/v1/teams/{team.pk}/", {"name": "New name", "country": "AR"}, format="json")
    assert response.status_code == 200, response.json()
    api.force_authenticate(None)

    assert board_names(api, phase) == [("New name", "AR"), ("Other", "CO")]
    assert set(LeaderboardEntry.objects.filter(team=team).values_list("team_name", flat=True)) == {"New name"}


def test_a_rename_rebuilds_every_phase_that_lists_the_team_and_no_other():
    phase = open_phase()
    second = open_phase(challenge=phase.challenge)
    untouched = open_phase(challenge=phase.challenge)
    team = team_in(phase, name="Before")
    scored(phase, team, 0.9)
    scored(second, team, 0.4)
    for p in (phase, second, untouched):
        leaderboard_rebuild(phase=p)
        p.refresh_from_db()
    versions = {p.pk: p.leaderboard_version for p in (phase, second, untouched)}

    challenge_services.team_update(team=team, actor=team.captain, name="After")

    for p in (phase, second, untouched):
        p.refresh_from_db()
    assert phase.leaderboard_version == versions[phase.pk] + 1
    assert second.leaderboard_version == versions[second.pk] + 1
    assert untouched.leaderboard_version == versions[untouched.pk]
    assert set(LeaderboardEntry.objects.values_list("team_name", flat=True)) == {"After"}


def test_a_new_logo_alone_leaves_the_leaderboard_alone():
    phase = open_phase()
    team = team_in(phase)
    scored(phase, team, 0.9)
    leaderboard_rebuild(phase=phase)
    phase.refresh_from_db()
    version = phase.leaderboard_version
    challenge_services.team_update(team=team, actor=team.captain, logo=SimpleUploadedFile("l.png", png_bytes()))
    phase.refresh_from_db()
    assert phase.leaderboard_version == version


def test_saving_the_team_unchanged_leaves_the_leaderboard_and_the_audit_log_alone():
    phase = open_phase()
    team = team_in(phase, name="Same", country="BR")
    scored(phase, team, 0.9)
    leaderboard_rebuild(phase=phase)
    phase.refresh_from_db()
    version = phase.leaderboard_version
    challenge_services.team_update(team=team, actor=team.captain, name="Same", country="BR")
    phase.refresh_from_db()
    assert phase.leaderboard_version == version
    assert not AuditLog.objects.filter(action="team_update").exists()
