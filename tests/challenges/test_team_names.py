"""Team names that only differ by look-alike characters, case or spacing are refused within an event."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from challenges import services
from challenges.models import Team
from challenges.names import team_name_key
from tests.factories import EventFactory, TeamFactory, register

from .conftest import login
from .test_api import auth

LOOK_ALIKES = [
    "team  alpha",  # case and spacing
    "TEAM ALPHA",
    " Team Alpha ",
    "Теаm Аlpha",  # Cyrillic Т, е, а, А
    "Τeam Αlpha",  # Greek Τ and Α
    "Ｔｅａｍ Ａｌｐｈａ",  # fullwidth
    "𝐓𝐞𝐚𝐦 𝐀𝐥𝐩𝐡𝐚",  # mathematical bold
    "Team A1pha",  # digit one for l
    "Team\u00a0Alpha",  # no-break space
    "Team Al\u200bpha",  # a zero-width space inside
]


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alike_names_share_a_key(name):
    assert team_name_key(name) == team_name_key("Team Alpha")


@pytest.mark.parametrize("name", ["Team Beta", "Team Alphas", "Alpha Team", "Équipe Alpha", "Team Ålpha"])
def test_different_names_have_different_keys(name):
    assert team_name_key(name) != team_name_key("Team Alpha")


@pytest.mark.django_db
@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_the_api_refuses_to_create_a_team_whose_name_looks_like_another(api, event, name):
    TeamFactory(event=event, name="Team Alpha")
    auth(api, register(event))
    response = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": name, "country": "KE"}, format="json")
    assert response.status_code == 400, response.json()
    assert "already called “Team Alpha”" in response.json()["detail"]
    assert response.json()["errors"]["name"]
    assert event.teams.count() == 1


@pytest.mark.django_db
def test_a_genuinely_different_name_is_accepted_and_the_same_name_in_another_event_too(api, event):
    TeamFactory(event=event, name="Team Alpha")
    auth(api, register(event))
    response = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": "Team Beta", "country": "KE"}, format="json")
    assert response.status_code == 201
    other = EventFactory()
    auth(api, register(other))
    response = api.post(f"/api/v1/events/{other.slug}/teams/", {"name": "TEAM ALPHA", "country": "KE"}, format="json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_the_create_page_shows_the_refusal_next_to_the_name(client, event):
    TeamFactory(event=event, name="Team Alpha")
    login(client, register(event))
    response = client.post(
        reverse("challenges:team_create", args=[event.slug]), {"name": "Теаm Аlpha", "country": "KE"}
    )
    assert response.status_code == 200
    assert "already called “Team Alpha”" in response.context["form"].errors["name"][0]
    assert event.teams.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["TEAM ALPHA", "Теаm Аlpha", "Ｔｅａｍ Ａｌｐｈａ"])
def test_a_rename_to_a_look_alike_is_refused_on_the_page_and_in_the_api(client, api, event, name):
    TeamFactory(event=event, name="Team Alpha")
    team = TeamFactory(event=event, name="Gamma")
    login(client, team.captain)
    response = client.post(reverse("challenges:team_edit", args=[team.pk]), {"name": name, "country": "BR"})
    assert response.status_code == 200
    assert "looks the same" in response.context["form"].errors["name"][0]
    auth(api, team.captain)
    response = api.patch(f"/api/v1/teams/{team.pk}/", {"name": name}, format="json")
    assert response.status_code == 400
    assert "looks the same" in response.json()["detail"]
    assert Team.objects.get(pk=team.pk).name == "Gamma"


@pytest.mark.django_db
def test_a_team_may_change_the_case_of_its_own_name(event):
    team = TeamFactory(event=event, name="Team Alpha")
    services.team_update(team=team, actor=team.captain, name="TEAM ALPHA")
    team.refresh_from_db()
    assert (team.name, team.name_key) == ("TEAM ALPHA", team_name_key("Team Alpha"))


@pytest.mark.django_db
def test_the_database_refuses_a_look_alike_that_skips_the_service(event):
    from django.db import IntegrityError, transaction

    TeamFactory(event=event, name="Team Alpha")
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamFactory(event=event, name="Теаm Аlpha")


@pytest.mark.django_db
def test_the_migration_fills_keys_and_keeps_older_look_alikes_apart():
    from importlib import import_module

    fill_name_keys = import_module("challenges.migrations.0004_team_name_key").fill_name_keys
    event = EventFactory()
    first = TeamFactory(event=event, name="Team Alpha")
    second = TeamFactory(event=event, name="Other")
    Team.objects.filter(pk=second.pk).update(name="TEAM ALPHA", name_key="stale 2")  # as made before the key existed
    Team.objects.filter(pk=first.pk).update(name_key="stale 1")
    fill_name_keys(apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.name_key == "team alpha"
    assert second.name_key == f"team alpha #{second.pk}"
    assert second.name == "TEAM ALPHA"
