"""The captain makes a new join code; the old code and invite link stop working (page and API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from challenges.models import Team, TeamMembership
from tests.factories import TeamFactory, add_member, register

from .conftest import login
from .test_api import auth

pytestmark = pytest.mark.django_db


def test_the_captain_makes_a_new_join_code_with_the_button_and_the_old_one_stops_working(client, event):
    team = TeamFactory(event=event)
    old = team.join_code
    login(client, team.captain)
    page = client.get(reverse("challenges:team_detail", args=[team.pk])).content.decode()
    assert 'id="new-join-code"' in page
    response = client.post(reverse("challenges:team_join_code", args=[team.pk]), follow=True)
    assert "new join code" in response.content.decode()
    team.refresh_from_db()
    assert team.join_code != old

    client.logout()
    newcomer = login(client, register(event))
    response = client.post(reverse("challenges:team_join", args=[event.slug]), {"join_code": old}, follow=True)
    assert "No team of this event has this join code" in response.content.decode()
    assert client.get(reverse("challenges:team_join_link", args=[event.slug, old])).status_code == 404
    client.post(reverse("challenges:team_join", args=[event.slug]), {"join_code": team.join_code})
    assert TeamMembership.objects.filter(team=team, user=newcomer).exists()


def test_the_join_code_page_action_needs_a_post(client, event):
    team = TeamFactory(event=event)
    login(client, team.captain)
    assert client.get(reverse("challenges:team_join_code", args=[team.pk])).status_code == 405


def test_a_member_who_is_not_the_captain_cannot_make_a_new_code(client, event):
    team = TeamFactory(event=event)
    member = add_member(team)
    login(client, member)
    assert 'id="new-join-code"' not in client.get(reverse("challenges:team_detail", args=[team.pk])).content.decode()
    response = client.post(reverse("challenges:team_join_code", args=[team.pk]))
    assert response.status_code == 403
    assert "can make a new join code" in response.content.decode()
    assert Team.objects.get(pk=team.pk).join_code == team.join_code


def test_the_api_gives_the_captain_a_new_code_and_the_old_one_is_refused(api, event):
    team = TeamFactory(event=event)
    old = team.join_code
    auth(api, team.captain)
    response = api.post(f"/api/v1/teams/{team.pk}/join-code/")
    assert response.status_code == 200
    new = response.json()["join_code"]
    assert new and new != old
    assert new in response.json()["invite_url"]

    auth(api, register(event))
    response = api.post(f"/api/v1/teams/{team.pk}/join/", {"join_code": old}, format="json")
    assert response.status_code == 400
    assert "not valid" in response.json()["detail"]
    assert api.post(f"/api/v1/teams/{team.pk}/join/", {"join_code": new}, format="json").status_code == 200


def test_the_api_refuses_a_new_code_to_anyone_but_the_captain(api, event):
    team = TeamFactory(event=event)
    auth(api, add_member(team))
    response = api.post(f"/api/v1/teams/{team.pk}/join-code/")
    assert response.status_code == 403
    assert "captain" in response.json()["detail"]
    api.credentials()
    assert api.post(f"/api/v1/teams/{team.pk}/join-code/").status_code in (401, 403)
    assert Team.objects.get(pk=team.pk).join_code == team.join_code
