"""The judging pages: the team's entry form, the organizers' pages, the judge's queue and scorecard, the
public results and the CSV exports."""

from __future__ import annotations

import pytest

from challenges.models import AuditLog
from judging import services
from judging.models import Assignment, Entry, Prize, Scorecard

from .factories import close_phases, full_scores, judging_world
from .test_services import png

pytestmark = pytest.mark.django_db


def _assigned(world):
    services.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=2)
    return world


def test_a_team_writes_its_entry_from_the_challenge_page(client):
    world = judging_world(n_teams=1, n_judges=0)
    Entry.objects.all().delete()
    captain = world.teams[0].captain
    client.force_login(captain)
    page = client.get(world.challenge.get_absolute_url()).content.decode()
    assert (
        "takes no CSV files" in page and f"/events/{world.event.slug}/challenges/{world.challenge.slug}/entry/" in page
    )
    url = f"/events/{world.event.slug}/challenges/{world.challenge.slug}/entry/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"title": "Tool", "repository_url": "javascript:alert(1)"})
    assert bad.status_code == 400 and "http" in bad.content.decode()
    response = client.post(url, {"title": "Tool", "summary": "Hello <script>alert(1)</script>", "images": [png()]})
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.images.count() == 1
    shown = client.get(entry.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in shown and "Tool" in shown


def test_a_frozen_entry_says_so_and_an_organizer_reopens_it_with_an_audit_record(client):
    world = judging_world(n_teams=1, n_judges=0)
    close_phases(world.challenge)
    url = f"/events/{world.event.slug}/challenges/{world.challenge.slug}/entry/"
    client.force_login(world.teams[0].captain)
    refused = client.post(url, {"title": "Late change"})
    assert refused.status_code == 403 and "frozen" in refused.content.decode()
    client.force_login(world.organizer)
    client.post(f"/entries/{world.entries[0].pk}/reopen/", {"reopen": "1"})
    assert AuditLog.objects.filter(action="entry_reopen").exists()
    client.force_login(world.teams[0].captain)
    assert client.post(url, {"title": "Late change"}).status_code == 302


def test_the_judge_sees_a_queue_with_progress_and_scores_with_the_level_descriptions(client):
    world = _assigned(judging_world(n_teams=2, n_judges=1))
    judge = world.judges[0]
    client.force_login(judge)
    queue = client.get(f"/events/{world.event.slug}/judging/queue/").content.decode()
    assert "0 of 2 scored" in queue
    entry = world.entries[0]
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Clear benefit for a named group of responders." in page
    data = {f"score-{c.pk}": 4 for c in world.criteria}
    assert client.post(entry.get_absolute_url(), {**data, "comment": "good"}).status_code == 302
    assert Scorecard.objects.get().comment == "good"
    assert "1 of 2 scored" in client.get(f"/events/{world.event.slug}/judging/queue/").content.decode()
    incomplete = client.post(world.entries[1].get_absolute_url(), {f"score-{world.criteria[0].pk}": 3})
    assert incomplete.status_code == 400 and "Score every criterion" in incomplete.content.decode()


def test_a_judge_cannot_open_or_score_an_entry_not_assigned_to_them(client):
    world = judging_world(n_teams=2, n_judges=2)
    j0, j1 = world.judges
    services.assignment_add(entry=world.entries[0], judge=j0, actor=world.organizer)
    client.force_login(j1)
    assert client.get(world.entries[0].get_absolute_url()).status_code == 404
    data = {f"score-{c.pk}": 4 for c in world.criteria}
    assert client.post(world.entries[0].get_absolute_url(), data).status_code == 404
    assert not Scorecard.objects.exists()


def test_anonymous_judging_hides_team_names_from_the_judge_pages(client):
    world = _assigned(judging_world(n_teams=2, n_judges=1))
    services.judging_settings_update(event=world.event, actor=world.organizer, anonymous=True)
    client.force_login(world.judges[0])
    queue = client.get(f"/events/{world.event.slug}/judging/queue/").content.decode()
    entry_page = client.get(world.entries[0].get_absolute_url()).content.decode()
    for team in world.teams:
        assert team.name not in queue and team.name not in entry_page


def test_the_assignment_page_warns_when_the_constraints_cannot_be_met(client):
    world = judging_world(n_teams=3, n_judges=2)
    client.force_login(world.organizer)
    response = client.post(
        f"/events/{world.event.slug}/judging/assignment/", {"judges_per_entry": 3, "seed": 1, "keep_existing": "on"}
    )
    assert response.status_code == 302
    page = client.get(f"/events/{world.event.slug}/judging/assignment/").content.decode()
    assert "fewer than 3 judges" in page
    assert Assignment.objects.count() == 6


def test_results_are_public_only_once_published_and_hide_judges_names(client):
    world = _assigned(judging_world(n_teams=2, n_judges=2))
    for a in Assignment.objects.all():
        services.scorecard_submit(entry=a.entry, judge=a.judge, scores=full_scores(world.criteria, 4))
    url = f"/events/{world.event.slug}/judging/results/"
    refused = client.get(url)
    assert refused.status_code == 403 and "not published" in refused.content.decode()
    assert client.get(f"/events/{world.event.slug}/judging/results.csv").status_code == 403
    client.force_login(world.organizer)
    organizer_page = client.get(url).content.decode()
    assert "Judge agreement" in organizer_page and world.judges[0].username in organizer_page
    client.post(url, {"name": "Best tool"})
    prize = Prize.objects.get()
    client.post(url, {"award": prize.pk, "winner": world.entries[0].pk})
    services.results_publish(event=world.event, actor=world.organizer, published=True)
    client.logout()
    public = client.get(url).content.decode()
    assert "Best tool" in public and world.entries[0].title in public
    assert all(j.username not in public for j in world.judges)
    assert "Judge agreement" not in public
    csv = client.get(f"/events/{world.event.slug}/judging/results.csv")
    assert csv.status_code == 200 and b"normalized" in csv.content


def test_the_scorecard_export_is_the_organizers_and_formula_safe(client):
    world = _assigned(judging_world(n_teams=1, n_judges=1))
    services.scorecard_submit(
        entry=world.entries[0], judge=world.judges[0], scores=full_scores(world.criteria), comment="=HYPERLINK(1)"
    )
    url = f"/events/{world.event.slug}/judging/scorecards.csv"
    client.force_login(world.judges[0])
    assert client.get(url).status_code == 403
    client.force_login(world.organizer)
    body = client.get(url).content.decode()
    assert "'=HYPERLINK(1)" in body


def test_organizers_set_the_judging_window_in_the_event_zone(client):
    world = judging_world(n_teams=0, n_judges=0)
    client.force_login(world.organizer)
    url = f"/events/{world.event.slug}/judging/"
    response = client.post(
        url,
        {
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-01-02T09:00",
            "judges_per_entry": 3,
            "seed": 0,
            "judged_weight": 50,
            "leaderboard_weight": 50,
        },
    )
    assert response.status_code == 302
    from judging.selectors import judging_settings

    settings = judging_settings(world.event)
    assert settings.opens_at.astimezone(world.event.tzinfo).hour == 9  # America/Bogota wall clock
    assert settings.opens_at.utcoffset().total_seconds() == 0 and settings.opens_at.hour == 14
