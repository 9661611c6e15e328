"""Organizers and judges of an event do not take part in it: no registration, no team (pages and API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from challenges.models import EventRole, Registration, Team, TeamMembership
from tests.factories import TeamFactory, UserFactory, make_judge, register

from .conftest import login
from .test_api import auth

pytestmark = pytest.mark.django_db


def test_it_refuses_a_judge_who_registers_through_the_api_with_a_403_that_says_why(api, event):
    auth(api, make_judge(event))
    response = api.post(f"/api/v1/events/{event.slug}/register/", {"accept_terms": True}, format="json")
    assert response.status_code == 403
    assert "judges cannot register or join a team" in response.json()["detail"]
    assert not Registration.objects.filter(event=event).exists()


def test_it_refuses_an_organizer_who_creates_a_team_through_the_api(api, event, organizer):
    register(event, organizer)  # even a registration left from before the role does not let them in
    auth(api, organizer)
    response = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": "Insiders", "country": "KE"}, format="json")
    assert response.status_code == 403
    assert "organizers cannot register or join a team" in response.json()["detail"]
    assert not Team.objects.filter(name="Insiders").exists()


def test_it_refuses_a_judge_who_joins_a_team_through_the_api(api, event):
    team = TeamFactory(event=event)
    judge = make_judge(event)
    register(event, judge)
    auth(api, judge)
    response = api.post(f"/api/v1/teams/{team.pk}/join/", {"join_code": team.join_code}, format="json")
    assert response.status_code == 403
    assert "judge" in response.json()["detail"]
    assert not TeamMembership.objects.filter(user=judge).exists()


def test_it_refuses_to_make_a_registered_participant_a_judge(api, event, organizer):
    participant = register(event, UserFactory(username="pat"))
    auth(api, organizer)
    response = api.post(f"/api/v1/events/{event.slug}/judges/", {"username": "pat"}, format="json")
    assert response.status_code == 400
    assert "a participant cannot also be one of its organizers or judges" in response.json()["detail"]
    assert not EventRole.objects.filter(user=participant).exists()


def test_it_refuses_to_make_a_team_member_an_organizer_on_the_roles_page(client, event, organizer):
    team = TeamFactory(event=event)
    login(client, organizer)
    response = client.post(
        reverse("challenges:event_roles", args=[event.slug]), {"username": team.captain.username, "role": "organizer"}
    )
    assert response.status_code == 200
    assert "a participant cannot also be one of its organizers or judges" in response.content.decode()
    assert not EventRole.objects.filter(user=team.captain).exists()


def test_the_event_page_offers_a_judge_neither_registration_nor_a_team(client, event):
    login(client, make_judge(event))
    html = client.get(reverse("challenges:event_detail", args=[event.slug])).content.decode()
    assert 'id="register-link"' not in html
    assert 'id="create-team-link"' not in html
    assert "judges cannot register or join a team" in html


def test_the_register_and_team_pages_refuse_an_organizer_with_the_reason(client, event, organizer):
    login(client, organizer)
    response = client.post(reverse("challenges:event_register", args=[event.slug]), {"accept_terms": "on"})
    assert response.status_code == 403
    assert "organizers cannot register" in response.content.decode()
    register(event, organizer)
    response = client.post(reverse("challenges:team_create", args=[event.slug]), {"name": "Insiders", "country": "KE"})
    assert response.status_code == 403
    assert not Team.objects.filter(name="Insiders").exists()


def test_the_invite_link_does_not_let_a_judge_join(client, event):
    team = TeamFactory(event=event)
    judge = register(event, make_judge(event))
    login(client, judge)
    link = reverse("challenges:team_join_link", args=[event.slug, team.join_code])
    assert "you cannot join a team here" in client.get(link).content.decode()
    assert client.post(link).status_code == 403
    assert not TeamMembership.objects.filter(user=judge).exists()
