"""seed_demo gives the demo event a scored history made by the real upload and scoring services."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from challenges.models import Challenge, Team, TeamMembership
from submissions import rules
from submissions.models import LeaderboardEntry, ScoreResult, Submission
from submissions.scoring import score_file

pytestmark = pytest.mark.django_db

SCORED_KINDS = ["detection", "hotspot", "network"]


def _counts() -> dict[str, int]:
    return {
        "teams": Team.objects.filter(event__slug="demo").count(),
        "members": TeamMembership.objects.filter(event__slug="demo").count(),
        "submissions": Submission.objects.filter(phase__challenge__event__slug="demo").count(),
        "results": ScoreResult.objects.count(),
        "board": LeaderboardEntry.objects.count(),
    }


def test_it_gives_the_demo_event_scored_submissions_from_several_teams_and_countries(client):
    call_command("seed_demo", force=True, verbosity=0)

    teams = list(Team.objects.filter(event__slug="demo"))
    assert len(teams) >= 6
    assert len({str(team.country) for team in teams}) >= 5
    assert all(team.memberships.count() >= 2 for team in teams)
    for kind in SCORED_KINDS:
        challenge = Challenge.objects.get(event__slug="demo", kind=kind)
        phase = challenge.phases.get()
        scored = Submission.objects.filter(phase=phase, status=Submission.Status.SCORED)
        assert scored.values("team").distinct().count() == len(teams), kind
        # Arrivals are spread over the days the phase has been open, not bunched at the seeding moment.
        first, last = scored.order_by("received_at").first(), scored.order_by("received_at").last()
        assert (last.received_at - first.received_at).days >= 3, kind
        assert all(phase.opens_at <= s.received_at for s in scored)
        board = LeaderboardEntry.objects.filter(phase=phase, split="public").order_by("position")
        assert board.count() == len(teams), kind
        assert len({entry.score for entry in board}) > 1, kind  # better and worse answers, not one score
        page = client.get(f"/phases/{phase.pk}/leaderboard/").content.decode()
        assert all(team.name in page for team in teams)


def test_the_seeded_scores_are_what_the_scorer_computes_from_the_stored_files():
    call_command("seed_demo", force=True, verbosity=0)

    checked = 0
    for submission in Submission.objects.filter(status=Submission.Status.SCORED).select_related("phase__challenge"):
        challenge = submission.phase.challenge
        expected = score_file(
            challenge.kind,
            challenge.truth_file.path,
            submission.file.path,
            params=rules.scorer_params(challenge),
        )
        metric = rules.primary_metric(challenge)
        assert submission.public_score == pytest.approx(expected["public"][metric])
        assert submission.private_score == pytest.approx(expected["private"][metric])
        checked += 1
    assert checked >= 6 * len(SCORED_KINDS)


def test_it_shows_a_failed_upload_with_its_reason():
    call_command("seed_demo", force=True, verbosity=0)

    failed = Submission.objects.get(phase__challenge__event__slug="demo", status=Submission.Status.FAILED)
    assert failed.error_code == "invalid_file"
    assert "missing" in failed.error_params["problem"]


def test_running_it_twice_duplicates_nothing():
    call_command("seed_demo", force=True, verbosity=0)
    before = _counts()
    call_command("seed_demo", force=True, verbosity=0)
    assert _counts() == before
