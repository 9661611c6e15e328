"""The event decides whether member usernames are public; by default only its own people see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from challenges.models import Event
from tests.factories import TeamFactory, UserFactory, add_member, make_judge, register

from .conftest import login
from .test_api import auth

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(event):
    team = TeamFactory(event=event, captain=UserFactory(username="captain-kim"))
    add_member(team, UserFactory(username="member-lee"))
    return team


def test_the_default_hides_usernames_from_anonymous_callers_of_the_api(api, event, team):
    assert event.roster_visibility == Event.RosterVisibility.PARTICIPANTS
    for body in (
        api.get(f"/api/v1/teams/{team.pk}/").json(),
        api.get(f"/api/v1/events/{event.slug}/teams/").json()["results"][0],
    ):
        assert body["members"] is None
        assert body["captain"] is None
        assert body["size"] == 2
        assert body["name"] == team.name
    assert "captain-kim" not in api.get(f"/api/v1/events/{event.slug}/teams/").content.decode()


def test_a_logged_in_outsider_does_not_see_usernames_either(api, client, event, team):
    outsider = UserFactory()
    auth(api, outsider)
    assert api.get(f"/api/v1/teams/{team.pk}/").json()["members"] is None
    login(client, outsider)
    html = client.get(reverse("challenges:team_detail", args=[team.pk])).content.decode()
    assert "captain-kim" not in html and "member-lee" not in html
    assert 'id="roster-hidden"' in html
    assert "2 of at most 3 members" in html


@pytest.mark.parametrize("who", ["registered", "judge", "organizer"])
def test_participants_judges_and_organizers_see_usernames(api, client, event, team, organizer, who):
    viewer = {
        "registered": lambda: register(event),
        "judge": lambda: make_judge(event),
        "organizer": lambda: organizer,
    }[who]()
    auth(api, viewer)
    body = api.get(f"/api/v1/teams/{team.pk}/").json()
    assert body["members"] == ["captain-kim", "member-lee"]
    assert body["captain"] == "captain-kim"
    login(client, viewer)
    html = client.get(reverse("challenges:team_detail", args=[team.pk])).content.decode()
    assert "captain-kim" in html and "member-lee" in html


def test_a_public_roster_shows_usernames_to_everyone(api, client, event, team):
    Event.objects.filter(pk=event.pk).update(roster_visibility=Event.RosterVisibility.PUBLIC)
    assert api.get(f"/api/v1/teams/{team.pk}/").json()["members"] == ["captain-kim", "member-lee"]
    login(client, UserFactory())
    assert "member-lee" in client.get(reverse("challenges:team_detail", args=[team.pk])).content.decode()


def test_organizers_choose_the_roster_visibility_in_the_api(api, event, organizer, team):
    auth(api, organizer)
    response = api.patch(f"/api/v1/events/{event.slug}/", {"roster_visibility": "public"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["roster_visibility"] == "public"
    api.credentials()
    assert api.get(f"/api/v1/teams/{team.pk}/").json()["captain"] == "captain-kim"
    auth(api, register(event))
    response = api.patch(f"/api/v1/events/{event.slug}/", {"roster_visibility": "participants"}, format="json")
    assert response.status_code == 403


def test_organizers_choose_the_roster_visibility_on_the_event_form(client, event, organizer):
    from .test_organizer_pages import _event_form

    login(client, organizer)
    page = client.get(reverse("challenges:event_edit", args=[event.slug])).content.decode()
    assert 'name="roster_visibility"' in page
    data = _event_form(name=event.name, slug=event.slug, roster_visibility="public")
    response = client.post(reverse("challenges:event_edit", args=[event.slug]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    event.refresh_from_db()
    assert event.roster_visibility == Event.RosterVisibility.PUBLIC
