"""Who sees what: another team's submission is unreachable; private scores wait for publication."""

from __future__ import annotations

import pytest
from django.utils import timezone

from submissions.models import Submission
from tests.factories import UserFactory, make_organizer

from .factories import SubmissionFactory, open_phase, scored, team_in

pytestmark = pytest.mark.django_db


def test_another_team_s_submission_is_unreachable_in_the_api_and_the_pages(client):
    phase = open_phase()
    theirs = scored(phase, team_in(phase), 0.9)
    outsider = team_in(phase).captain
    client.force_login(outsider)
    for url in (
        f"/api/v1/submissions/{theirs.pk}/",
        f"/submissions/{theirs.pk}/",
        f"/submissions/{theirs.pk}/picture.png",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/submissions/{theirs.pk}/final/").status_code == 404
    assert client.post(f"/submissions/{theirs.pk}/cancel/").status_code == 404


def test_a_submission_that_does_not_exist_answers_the_same_as_another_team_s(client):
    client.force_login(UserFactory())
    assert client.get("/api/v1/submissions/999999/").status_code == 404


def test_anonymous_visitors_cannot_read_submissions(client):
    submission = SubmissionFactory(phase=open_phase())
    assert client.get(f"/api/v1/submissions/{submission.pk}/").status_code in (401, 403)
    assert client.get(f"/submissions/{submission.pk}/").status_code == 302


def test_every_member_of_the_team_sees_its_submissions(client):
    from tests.factories import add_member

    phase = open_phase()
    team = team_in(phase)
    submission = SubmissionFactory(phase=phase, team=team)
    client.force_login(add_member(team))
    body = client.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert set(body) >= {"id", "phase", "team", "status", "submitted_at", "scored_at", "scores", "error"}


def test_private_scores_are_hidden_from_the_team_before_publication_and_shown_after(client):
    phase = open_phase()
    team = team_in(phase)
    submission = scored(phase, team, 0.4, 0.6)
    client.force_login(team.captain)
    assert client.get(f"/api/v1/submissions/{submission.pk}/").json()["scores"] == {
        "public": {"average_precision": 0.4}
    }
    assert "<h3>Private scores</h3>" not in client.get(submission.get_absolute_url()).content.decode()
    phase.results_published_at = timezone.now()
    phase.save()
    assert client.get(f"/api/v1/submissions/{submission.pk}/").json()["scores"]["private"] == {"average_precision": 0.6}


def test_organizers_see_every_submission_with_private_scores(client):
    phase = open_phase()
    submission = scored(phase, team_in(phase), 0.4, 0.6)
    client.force_login(make_organizer(phase.challenge.event))
    body = client.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert body["scores"]["private"] == {"average_precision": 0.6}
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Cancel this submission" in page and "Score again" in page


def test_a_failed_submission_shows_its_error_to_the_team(client):
    phase = open_phase()
    team = team_in(phase)
    submission = SubmissionFactory(
        phase=phase,
        team=team,
        status=Submission.Status.FAILED,
        error_code="invalid_line",
        error_params={"line": 3, "problem": "bad"},
    )
    client.force_login(team.captain)
    assert client.get(f"/api/v1/submissions/{submission.pk}/").json()["error"].endswith("line 3: bad")
    assert "line 3: bad" in client.get(submission.get_absolute_url()).content.decode()


def test_the_picture_is_drawn_and_kept_once_per_language(client):
    from django.core.files.base import ContentFile

    from challenges.datasets.hotspot import cell_id
    from challenges.models import Challenge

    from .factories import scored_challenge

    cells = [(r, c) for r in range(6) for c in range(8)]
    truth = "cell_id,split,incidents\n" + "".join(f"{cell_id(r, c)},public,{(r + c) % 4}\n" for r, c in cells)
    phase = open_phase(challenge=scored_challenge(kind=Challenge.Kind.HOTSPOT, truth=truth))
    predictions = "cell_id,score\n" + "".join(f"{cell_id(r, c)},{(r * c) / 40}\n" for r, c in cells)
    mine = scored(phase, team_in(phase), 0.5, file=ContentFile(predictions.encode(), name="predictions.csv"))
    client.force_login(mine.team.captain)
    pictures = {}
    for language in ("en", "pt"):
        client.cookies["django_language"] = language
        response = client.get(f"/submissions/{mine.pk}/picture.png")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response["Content-Language"] == language and "Cookie" in response["Vary"]
        pictures[language] = response.content
    assert pictures["en"] != pictures["pt"]  # the legend is drawn in the viewer's language
    storage = mine.file.storage
    assert storage.exists(f"pictures/{mine.pk}-v1-plain-en.png") and storage.exists(
        f"pictures/{mine.pk}-v1-plain-pt.png"
    )
