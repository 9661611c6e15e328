"""The judging API (spec/api.md, "Judging API") and its permission boundaries."""

from __future__ import annotations

import pytest

from judging import services
from judging.models import Assignment, Entry, Scorecard
from tests.factories import UserFactory

from .factories import full_scores, judging_world
from .test_services import png

pytestmark = pytest.mark.django_db


def _scored_world():
    world = judging_world(n_teams=3, n_judges=2)
    services.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=3)
    return world


def test_a_team_posts_and_patches_its_entry_with_the_documented_fields(api):
    world = judging_world(n_teams=1, n_judges=0)
    Entry.objects.all().delete()
    team = world.teams[0]
    api.force_authenticate(team.captain)
    url = f"/api/v1/events/{world.event.slug}/entries/"
    response = api.post(
        url,
        {"challenge": world.challenge.pk, "title": "Safe routes", "summary": "A *map*", "images": [png()]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {
        "id",
        "team",
        "challenge",
        "title",
        "summary",
        "repository_url",
        "video_url",
        "images",
        "submission",
    } <= set(body)
    assert body["team"] == team.pk and len(body["images"]) == 1 and body["images"][0]["thumbnail"]
    patched = api.patch(f"/api/v1/entries/{body['id']}/", {"video_url": "javascript:alert(1)"}, format="json")
    assert patched.status_code == 400 and "http" in patched.json()["detail"]
    patched = api.patch(f"/api/v1/entries/{body['id']}/", {"video_url": "https://video.example/v"}, format="json")
    assert patched.status_code == 200 and patched.json()["video_url"] == "https://video.example/v"


def test_participants_never_see_other_teams_entries_scorecards_or_unpublished_results(api):
    world = _scored_world()
    judge_of_e0 = Assignment.objects.get(entry=world.entries[0]).judge
    services.scorecard_submit(entry=world.entries[0], judge=judge_of_e0, scores=full_scores(world.criteria))
    participant = world.teams[1].captain
    api.force_authenticate(participant)
    listed = api.get(f"/api/v1/events/{world.event.slug}/entries/").json()
    assert [e["id"] for e in listed] == [world.entries[1].pk]
    assert api.get(f"/api/v1/entries/{world.entries[0].pk}/").status_code == 404
    cards = api.get(f"/api/v1/entries/{world.entries[1].pk}/scorecards/")
    assert cards.status_code == 403 and cards.json()["detail"]
    results = api.get(f"/api/v1/events/{world.event.slug}/judging/results/")
    assert results.status_code == 403 and "not published" in results.json()["detail"]
    api.force_authenticate(None)
    assert api.get(f"/api/v1/events/{world.event.slug}/judging/results/").status_code == 403
    services.results_publish(event=world.event, actor=world.organizer, published=True)
    body = api.get(f"/api/v1/events/{world.event.slug}/judging/results/").json()
    assert body["method"] == "zscore"
    first = body["results"][0]
    assert set(first) >= {"rank", "entry", "team", "raw_mean", "normalized", "n_scorecards"}
    assert first["entry"] == world.entries[0].pk and first["rank"] == 1
    assert judge_of_e0.username not in str(body)


def test_a_judge_of_one_event_sees_nothing_of_another(api):
    world = _scored_world()
    other = _scored_world()
    judge = world.judges[0]
    api.force_authenticate(judge)
    slug = other.event.slug
    assert api.get(f"/api/v1/events/{slug}/entries/").json() == []
    assert api.get(f"/api/v1/events/{slug}/assignments/").status_code == 403
    assert api.get(f"/api/v1/events/{slug}/conflicts/").status_code == 403
    assert api.get(f"/api/v1/events/{slug}/judging/results/").status_code == 403
    for entry in other.entries:
        assert api.get(f"/api/v1/entries/{entry.pk}/").status_code == 404
        response = api.post(
            f"/api/v1/entries/{entry.pk}/scorecards/", {"scores": full_scores(other.criteria)}, format="json"
        )
        assert response.status_code == 403
    assert not Scorecard.objects.exists()


def test_a_judge_scores_only_entries_assigned_to_them(api):
    world = _scored_world()
    judge = world.judges[0]
    mine = {a.entry_id for a in Assignment.objects.filter(judge=judge)}
    api.force_authenticate(judge)
    listed = api.get(f"/api/v1/events/{world.event.slug}/assignments/").json()
    assert {row["entry"] for row in listed} == mine and {row["judge"] for row in listed} == {judge.username}
    for entry in world.entries:
        url = f"/api/v1/entries/{entry.pk}/scorecards/"
        response = api.post(url, {"scores": full_scores(world.criteria, 4), "comment": "ok"}, format="json")
        if entry.pk in mine:
            assert response.status_code == 201, response.json()
            assert api.post(url, {"scores": full_scores(world.criteria)}, format="json").status_code == 409
            revised = api.put(url, {"scores": full_scores(world.criteria, 2)}, format="json")
            assert revised.status_code == 200 and set(revised.json()["scores"].values()) == {2}
        else:
            assert response.status_code == 403
            assert response.json()["code"] == "not_assigned"
    assert set(Scorecard.objects.values_list("entry_id", flat=True)) == mine


def test_organizers_run_the_assignment_and_others_cannot(api):
    world = judging_world(n_teams=4, n_judges=2)
    url = f"/api/v1/events/{world.event.slug}/assignments/"
    api.force_authenticate(world.judges[0])
    assert api.post(url, {"judges_per_entry": 2, "seed": 1}, format="json").status_code == 403
    api.force_authenticate(world.organizer)
    body = api.post(url, {"judges_per_entry": 2, "seed": 1}, format="json").json()
    assert body["balanced"] and len(body["assignments"]) == 8 and body["warnings"] == []
    body = api.post(url, {"judges_per_entry": 3, "seed": 1}, format="json").json()
    assert body["shortfalls"] and body["warnings"]


def test_judges_declare_conflicts_and_participants_cannot(api):
    world = judging_world(n_teams=2, n_judges=1)
    url = f"/api/v1/events/{world.event.slug}/conflicts/"
    api.force_authenticate(world.judges[0])
    response = api.post(url, {"team": world.teams[0].pk}, format="json")
    assert response.status_code == 201
    assert api.post(url, {"country": "FR"}, format="json").status_code == 201
    assert len(api.get(url).json()) == 2
    api.force_authenticate(world.teams[1].captain)
    assert api.post(url, {"team": world.teams[0].pk}, format="json").status_code == 403


def test_criteria_are_read_by_everyone_and_written_by_organizers(api):
    world = judging_world(n_teams=0, n_judges=0)
    url = f"/api/v1/events/{world.event.slug}/criteria/"
    body = api.get(url).json()
    assert [set(c) >= {"id", "name", "description", "weight", "min_score", "max_score"} for c in body] == [True] * 5
    api.force_authenticate(UserFactory())
    assert api.post(url, {"name": "Novelty"}, format="json").status_code == 403
    api.force_authenticate(world.organizer)
    made = api.post(url, {"name": "Novelty", "weight": 2, "min_score": 0, "max_score": 10}, format="json")
    assert made.status_code == 201 and made.json()["max_score"] == 10
    bad = api.post(url, {"name": "Broken", "min_score": 5, "max_score": 1}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"]


def test_anonymous_judging_hides_team_names_and_countries_from_judges(api):
    world = _scored_world()
    services.judging_settings_update(event=world.event, actor=world.organizer, anonymous=True)
    judge = world.judges[0]
    api.force_authenticate(judge)
    listed = api.get(f"/api/v1/events/{world.event.slug}/entries/").json()
    assert listed and all(e["team"] is None and e["team_name"] is None and e["country"] is None for e in listed)
    names = {t.name for t in world.teams}
    assert not any(name in str(listed) for name in names)
    api.force_authenticate(world.organizer)
    assert all(e["team_name"] for e in api.get(f"/api/v1/events/{world.event.slug}/entries/").json())


def test_odd_score_values_are_refused_with_a_reason_never_a_server_error(api):
    world = _scored_world()
    judge = world.judges[0]
    entry = Assignment.objects.filter(judge=judge).first().entry
    api.force_authenticate(judge)
    url = f"/api/v1/entries/{entry.pk}/scorecards/"
    first = str(world.criteria[0].pk)
    raw = '{"scores": {"' + first + '": Infinity}}'  # not JSON, though Python's parser reads it
    response = api.post(url, raw, content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]
    for odd in ("1e400", True, [3], {"a": 1}, 3.5, "three", None):
        scores = {**full_scores(world.criteria), first: odd}
        response = api.post(url, {"scores": scores}, format="json")
        assert response.status_code == 400, (odd, response.status_code)
        assert response.json()["detail"]
    huge = api.post(f"/api/v1/events/{world.event.slug}/entries/", {"challenge": 10**30, "title": "x"}, format="json")
    assert huge.status_code == 400


def test_organizers_edit_criteria_and_manage_prizes_through_the_api(api):
    from judging import services as judging_services
    from judging.models import Criterion, Prize

    from .factories import judging_world

    world = judging_world(n_teams=2, n_judges=1)
    api.force_authenticate(world.organizer)
    criterion = world.criteria[0]
    response = api.patch(f"/api/v1/criteria/{criterion.pk}/", {"weight": 2}, format="json")
    assert response.status_code == 200 and response.json()["weight"] == 2
    assert api.delete(f"/api/v1/criteria/{world.criteria[-1].pk}/").status_code == 204
    assert not Criterion.objects.filter(pk=world.criteria[-1].pk).exists()
    made = api.post(f"/api/v1/events/{world.event.slug}/prizes/", {"name": "Best tool"}, format="json")
    assert made.status_code == 201
    prize_id = made.json()["id"]
    awarded = api.patch(f"/api/v1/prizes/{prize_id}/", {"winner": world.entries[0].pk}, format="json")
    assert awarded.status_code == 200 and awarded.json()["winner"] == world.entries[0].pk
    # Before the judged results are published, others see the prize but not its winner.
    api.force_authenticate(world.teams[0].captain)
    listed = api.get(f"/api/v1/events/{world.event.slug}/prizes/").json()
    assert listed == [{"id": prize_id, "name": "Best tool", "challenge": None, "winner": None}]
    judging_services.results_publish(event=world.event, actor=world.organizer, published=True)
    assert api.get(f"/api/v1/events/{world.event.slug}/prizes/").json()[0]["winner"] == world.entries[0].pk
    assert api.delete(f"/api/v1/prizes/{prize_id}/").status_code == 403
    assert Prize.objects.filter(pk=prize_id).exists()
