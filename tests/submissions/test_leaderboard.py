"""Leaderboards: one row per team, fair ties, hidden private split, constant queries, cached, paginated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from challenges.models import Phase
from submissions.models import LeaderboardEntry, Submission
from submissions.selectors import leaderboard_all
from submissions.services import leaderboard_rebuild, submission_mark_final
from tests.chart_images import chart_images
from tests.factories import make_organizer

from .factories import SubmissionFactory, open_phase, scored, team_in

pytestmark = pytest.mark.django_db
Status = Submission.Status


def board(api, phase, **params):
    response = api.get(f"/api/v1/phases/{phase.pk}/leaderboard/", params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_each_team_appears_once_with_its_best_submission(api):
    phase = open_phase()
    a, b = team_in(phase, name="Alpha"), team_in(phase, name="Beta")
    scored(phase, a, 0.5)
    best = scored(phase, a, 0.9)
    scored(phase, b, 0.7)
    leaderboard_rebuild(phase=phase)
    body = board(api, phase)
    assert body["phase"] == phase.pk and body["split"] == "public" and body["count"] == 2
    assert [(r["rank"], r["team"]["name"], r["score"]) for r in body["results"]] == [
        (1, "Alpha", 0.9),
        (2, "Beta", 0.7),
    ]
    first = body["results"][0]
    assert first["submission"] == best.pk
    assert set(first) >= {"rank", "team", "score", "scores", "submission", "submitted_at"}
    assert set(first["team"]) == {"id", "name", "country"}


def test_a_tie_goes_to_the_earlier_upload(api):
    phase = open_phase()
    late, early = team_in(phase, name="Late"), team_in(phase, name="Early")
    scored(phase, late, 0.8, at=timezone.now() - timedelta(minutes=1))
    scored(phase, early, 0.8, at=timezone.now() - timedelta(minutes=2))
    leaderboard_rebuild(phase=phase)
    assert [r["team"]["name"] for r in board(api, phase)["results"]] == ["Early", "Late"]
    assert [r["rank"] for r in board(api, phase)["results"]] == [1, 2]


def test_failed_cancelled_and_waiting_submissions_are_never_ranked(api):
    phase = open_phase()
    team = team_in(phase)
    SubmissionFactory(phase=phase, team=team, status=Status.FAILED, public_score=None)
    SubmissionFactory(phase=phase, team=team_in(phase), status=Status.CANCELLED, public_score=0.99)
    SubmissionFactory(phase=phase, team=team_in(phase), status=Status.QUEUED)
    leaderboard_rebuild(phase=phase)
    assert board(api, phase)["results"] == []


def test_baselines_are_shown_and_marked_without_taking_a_rank(api):
    phase = open_phase()
    scored(phase, team_in(phase, name="Strong"), 0.9)
    scored(phase, team_in(phase, name="Baseline", is_baseline=True), 0.6)
    scored(phase, team_in(phase, name="Weak"), 0.3)
    leaderboard_rebuild(phase=phase)
    rows = board(api, phase)["results"]
    assert [(r["team"]["name"], r["rank"], r["is_baseline"]) for r in rows] == [
        ("Strong", 1, False),
        ("Baseline", None, True),
        ("Weak", 2, False),
    ]


def test_the_leaderboard_filters_by_country(api):
    phase = open_phase()
    scored(phase, team_in(phase, country="BR"), 0.9)
    scored(phase, team_in(phase, country="CO"), 0.8)
    leaderboard_rebuild(phase=phase)
    rows = board(api, phase, country="co")["results"]
    assert [(r["team"]["country"], r["rank"]) for r in rows] == [("CO", 2)]


def test_the_private_split_is_hidden_from_participants_until_published(api):
    phase = open_phase()
    team = team_in(phase)
    submission = scored(phase, team, 0.5, 0.8)
    leaderboard_rebuild(phase=phase)
    api.force_authenticate(team.captain)
    response = api.get(f"/api/v1/phases/{phase.pk}/leaderboard/", {"split": "private"})
    assert response.status_code == 403
    assert "once the organizers publish" in response.json()["detail"]
    detail = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert "private" not in detail["scores"] and "private_score" not in detail
    (row,) = board(api, phase)["results"]
    assert row["score"] == 0.5 and row["scores"] == {"average_precision": 0.5}

    phase.results_published_at = timezone.now()
    phase.save()
    assert board(api, phase, split="private")["results"][0]["score"] == 0.8
    assert api.get(f"/api/v1/submissions/{submission.pk}/").json()["scores"]["private"] == {"average_precision": 0.8}


def test_organizers_always_see_the_private_split(api):
    phase = open_phase()
    scored(phase, team_in(phase), 0.5, 0.8)
    leaderboard_rebuild(phase=phase)
    api.force_authenticate(make_organizer(phase.challenge.event))
    assert board(api, phase, split="private")["results"][0]["score"] == 0.8


def test_a_hidden_public_leaderboard_says_why(api):
    phase = open_phase(public_leaderboard=False)
    response = api.get(f"/api/v1/phases/{phase.pk}/leaderboard/")
    assert response.status_code == 403 and "hide this leaderboard" in response.json()["detail"]


def test_the_private_ranking_uses_the_submission_chosen_on_public_scores():
    """Choosing each team's best *private* score would select on the hidden data."""
    phase = open_phase()
    team = team_in(phase)
    chosen = scored(phase, team, 0.9, 0.1)
    scored(phase, team, 0.2, 0.99)
    leaderboard_rebuild(phase=phase)
    private = LeaderboardEntry.objects.get(phase=phase, split="private")
    assert private.submission_id == chosen.pk and private.score == 0.1
    assert private.scores == {"average_precision": 0.1}


def test_in_final_mode_the_team_s_chosen_submission_stands_else_its_latest(api):
    phase = open_phase(leaderboard_mode=Phase.LeaderboardMode.FINAL)
    team, other = team_in(phase), team_in(phase)
    picked = scored(phase, team, 0.4, at=timezone.now() - timedelta(hours=3))
    scored(phase, team, 0.9, at=timezone.now() - timedelta(hours=2))
    latest_other = scored(phase, other, 0.3, at=timezone.now() - timedelta(hours=1))
    scored(phase, other, 0.8, at=timezone.now() - timedelta(hours=4))
    submission_mark_final(submission=picked, user=team.captain)
    rows = {r["team"]["id"]: r["submission"] for r in board(api, phase)["results"]}
    assert rows == {team.pk: picked.pk, other.pk: latest_other.pk}


def test_only_a_member_can_choose_the_final_submission(api):
    phase = open_phase(leaderboard_mode=Phase.LeaderboardMode.FINAL)
    team = team_in(phase)
    submission = scored(phase, team, 0.4)
    api.force_authenticate(team_in(phase).captain)
    assert api.post(f"/api/v1/submissions/{submission.pk}/final/").status_code == 404
    api.force_authenticate(team.captain)
    assert api.post(f"/api/v1/submissions/{submission.pk}/final/").json()["is_final"] is True


def test_the_leaderboard_is_paginated_with_count_next_and_previous(api):
    phase = open_phase()
    for i in range(5):
        scored(phase, team_in(phase), i / 10)
    leaderboard_rebuild(phase=phase)
    first = board(api, phase, page_size=2)
    assert first["count"] == 5 and first["previous"] is None and "page=2" in first["next"]
    last = board(api, phase, page_size=2, page=3)
    assert last["next"] is None and "page=2" in last["previous"]
    assert [r["rank"] for r in last["results"]] == [5]


def test_a_page_past_the_database_s_integer_range_is_an_empty_page(api):
    # OFFSET 9223372036854775808 overflowed the database's integer: a server error.
    phase = open_phase()
    scored(phase, team_in(phase), 0.5)
    leaderboard_rebuild(phase=phase)
    body = board(api, phase, page=9223372036854775809, page_size=500)
    assert body["count"] == 1 and body["results"] == [] and body["next"] is None


def test_it_rejects_a_country_filter_that_is_not_a_two_letter_code(api):
    # A NUL character reached PostgreSQL, which refuses it in a query: a server error.
    phase = open_phase()
    scored(phase, team_in(phase, country="CO"), 0.5)
    leaderboard_rebuild(phase=phase)
    for value in ("C\x00", "Colombia", "1"):
        response = api.get(f"/api/v1/phases/{phase.pk}/leaderboard/", {"country": value})
        assert response.status_code == 400, value
        assert "two-letter country code" in response.json()["detail"]
    assert list(leaderboard_all(phase=phase, split="public", country="C\x00")) == []


def test_the_leaderboard_answers_in_a_constant_number_of_queries(api):
    phase = open_phase()

    def queries() -> int:
        leaderboard_rebuild(phase=phase)
        phase.refresh_from_db()
        with CaptureQueriesContext(connection) as ctx:
            board(api, phase)
        return len(ctx)

    scored(phase, team_in(phase), 0.5)
    few = queries()
    for i in range(30):
        scored(phase, team_in(phase), i / 30)
    assert queries() == few <= 8


def test_a_cached_page_is_served_without_reading_the_entries_and_a_rebuild_refreshes_it(api):
    phase = open_phase()
    team = team_in(phase)
    scored(phase, team, 0.5)
    leaderboard_rebuild(phase=phase)
    board(api, phase)
    with CaptureQueriesContext(connection) as ctx:
        board(api, phase)
    assert not any("leaderboardentry" in q["sql"] for q in ctx.captured_queries)
    scored(phase, team, 0.7)
    leaderboard_rebuild(phase=phase)
    assert board(api, phase)["results"][0]["score"] == 0.7


def test_the_csv_export_lists_every_row_with_its_metrics(client):
    phase = open_phase()
    scored(phase, team_in(phase, name="Alpha", country="BR"), 0.9)
    scored(phase, team_in(phase, name="Base", is_baseline=True), 0.5)
    leaderboard_rebuild(phase=phase)
    response = client.get(f"/phases/{phase.pk}/leaderboard.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("rank,team_id,team,country,baseline,score,submission,submitted_at,average_precision")
    assert lines[1].startswith("1,") and ",Alpha,BR,," in lines[1]
    assert lines[2].startswith(",") and ",yes," in lines[2]


def test_the_leaderboard_page_shows_the_table_the_filter_and_the_history_chart(client):
    phase = open_phase()
    scored(phase, team_in(phase, name="Alpha"), 0.9)
    leaderboard_rebuild(phase=phase)
    page = client.get(f"/phases/{phase.pk}/leaderboard/").content.decode()
    assert "Alpha" in page and 'name="country"' in page and "Download as CSV" in page
    ((_alt, chart),) = chart_images(page)
    assert chart.count("<path") == 1  # Alpha's line


def test_the_leaderboard_chart_is_an_image_whose_alt_gives_each_teams_latest_best_score(client):
    phase = open_phase()
    alpha, beta = team_in(phase, name="Alpha"), team_in(phase, name="Beta")
    scored(phase, alpha, 0.5, at=timezone.now() - timedelta(minutes=3))
    scored(phase, alpha, 0.875, at=timezone.now() - timedelta(minutes=2))
    scored(phase, beta, 0.25, at=timezone.now() - timedelta(minutes=1))
    leaderboard_rebuild(phase=phase)
    page = client.get(f"/phases/{phase.pk}/leaderboard/", HTTP_ACCEPT_LANGUAGE="pt").content.decode()
    assert "<svg" not in page  # axe-core cannot check the contrast of inline SVG text
    ((alt, chart),) = chart_images(page)
    with translation.override("pt"):
        title = translation.gettext("Best score over time")
    assert alt == f"{title}: Alpha 0,875 e Beta 0,25"
    assert chart.count("<path") == 2


def test_the_leaderboard_page_of_the_private_split_says_why_it_is_hidden(client):
    phase = open_phase()
    response = client.get(f"/phases/{phase.pk}/leaderboard/?split=private")
    assert response.status_code == 403
    assert "once the organizers publish the results" in response.content.decode()


def test_a_draft_event_s_leaderboard_is_not_found_for_outsiders(api):
    phase = open_phase()
    phase.challenge.event.visibility = "draft"
    phase.challenge.event.save()
    assert api.get(f"/api/v1/phases/{phase.pk}/leaderboard/").status_code == 404


def test_a_score_that_cannot_change_the_board_skips_the_rebuild_and_a_better_one_rebuilds_it():
    from submissions.services import leaderboard_update_for

    phase = open_phase()
    team = team_in(phase)
    scored(phase, team, 0.8, at=timezone.now() - timedelta(hours=2))
    leaderboard_rebuild(phase=phase)
    version = Phase.objects.get(pk=phase.pk).leaderboard_version
    worse = scored(phase, team, 0.5)
    tie_later = scored(phase, team, 0.8)
    assert leaderboard_update_for(submission=worse) is False
    assert leaderboard_update_for(submission=tie_later) is False
    assert Phase.objects.get(pk=phase.pk).leaderboard_version == version
    better = scored(phase, team, 0.95)
    assert leaderboard_update_for(submission=better) is True
    assert LeaderboardEntry.objects.get(phase=phase, split="public").submission_id == better.pk


def test_rebuilding_twice_gives_the_same_rows():
    phase = open_phase()
    for i in range(4):
        scored(phase, team_in(phase), i / 4)
    leaderboard_rebuild(phase=phase)
    first = list(LeaderboardEntry.objects.order_by("split", "position").values_list("team_id", "rank", "score"))
    leaderboard_rebuild(phase=phase)
    assert list(LeaderboardEntry.objects.order_by("split", "position").values_list("team_id", "rank", "score")) == first


def test_the_leaderboard_names_the_organizers_chosen_metric_like_the_challenge_page(api):
    from submissions.rules import primary_metric

    phase = open_phase()
    challenge = phase.challenge
    assert primary_metric(challenge) == "average_precision"
    challenge.scoring_params = {"primary_metric": "roc_auc"}
    challenge.save()
    assert primary_metric(challenge) == challenge.primary_metric == "roc_auc"
    assert board(api, phase)["primary_metric"] == "roc_auc"


def test_a_team_name_written_as_a_formula_is_exported_as_text(client):
    phase = open_phase()
    scored(phase, team_in(phase, name='=HYPERLINK("http://evil.example","Win")'), 0.5)
    leaderboard_rebuild(phase=phase)
    response = client.get(f"/phases/{phase.pk}/leaderboard.csv")
    assert response.status_code == 200
    assert '\'=HYPERLINK(""http://evil.example"",""Win"")' in response.content.decode()


@pytest.mark.parametrize(("higher_is_better", "expected"), [(True, [0.5, 0.6]), (False, [0.5, 0.3])])
def test_the_best_score_over_time_follows_the_metrics_direction(monkeypatch, higher_is_better, expected):
    from submissions import rules
    from submissions.selectors import leaderboard_history

    monkeypatch.setattr(rules, "higher_is_better", lambda challenge: higher_is_better)
    phase = open_phase()
    team = team_in(phase)
    start = timezone.now() - timedelta(hours=5)
    for hours, score in enumerate([0.5, 0.3, 0.6, 0.4]):
        scored(phase, team, score, at=start + timedelta(hours=hours))
    leaderboard_rebuild(phase=phase)
    history = leaderboard_history(phase=phase)
    assert [score for _at, score in history[team.name]] == expected
