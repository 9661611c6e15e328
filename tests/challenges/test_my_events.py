"""The "My events" page and its link in the navigation: the user's events with their role in each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from challenges.models import Event
from challenges.selectors import events_of_user
from tests.factories import EventFactory, TeamFactory, UserFactory, event_creator, make_judge, make_organizer, register

from .conftest import login

pytestmark = pytest.mark.django_db

URL = "/my-events/"


def test_the_my_events_address_is_stable():
    assert reverse("challenges:my_events") == URL


def test_the_navigation_links_my_events_for_logged_in_users_only(client):
    html = client.get(reverse("challenges:event_list")).content.decode()
    assert f'href="{URL}"' not in html
    login(client, UserFactory())
    html = client.get(reverse("challenges:event_list")).content.decode()
    assert f'<a href="{URL}">My events</a>' in html
    html = client.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">My events</a>' in html


def test_an_anonymous_visitor_is_sent_to_log_in():
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_page_lists_the_events_the_user_organizes_judges_and_takes_part_in_with_the_role(client):
    user = UserFactory()
    organized = EventFactory(name="Organized hack", visibility=Event.Visibility.DRAFT)
    make_organizer(organized, username=user.username)
    judged = EventFactory(name="Judged hack")
    make_judge(judged, username=user.username)
    joined = EventFactory(name="Joined hack")
    team = TeamFactory(event=joined, captain=user, name="Rockets")
    registered = EventFactory(name="Registered hack")
    register(registered, user)
    EventFactory(name="Someone else's hack")
    login(client, user)

    response = client.get(URL)
    assert response.status_code == 200
    rows = {row["event"].name: row["role"] for row in response.context["rows"]}
    assert rows == {
        "Organized hack": "organizer",
        "Judged hack": "judge",
        "Joined hack": "participant",
        "Registered hack": "participant",
    }
    html = response.content.decode()
    assert "Someone else&#x27;s hack" not in html
    assert reverse("challenges:event_dashboard", args=[organized.slug]) in html
    assert reverse("challenges:team_detail", args=[team.pk]) in html
    assert ">Organizer<" in html and ">Judge<" in html and ">Participant<" in html


def test_an_organizer_who_also_registered_is_listed_once_as_organizer():
    user = UserFactory()
    event = EventFactory()
    make_organizer(event, username=user.username)
    make_judge(event, username=user.username)
    register(event, user)
    assert [(row["event"], row["role"]) for row in events_of_user(user)] == [(event, "organizer")]


def test_a_judge_does_not_see_a_draft_they_could_not_open():
    user = UserFactory()
    make_judge(EventFactory(visibility=Event.Visibility.DRAFT), username=user.username)
    assert events_of_user(user) == []


def test_the_list_takes_a_fixed_number_of_queries():
    user = UserFactory()
    for _ in range(5):
        event = EventFactory()
        TeamFactory(event=event, captain=user)
        make_judge(EventFactory(), username=user.username)
    with CaptureQueriesContext(connection) as queries:
        rows = events_of_user(user)
        [row["team"].name for row in rows if row["team"]]
    assert len(rows) == 10
    assert len(queries) == 4


def test_the_create_button_shows_for_users_who_may_create_events_only(client):
    login(client, UserFactory())
    html = client.get(URL).content.decode()
    assert reverse("challenges:event_create") not in html
    assert "You do not organize, judge or take part in any event yet." in html
    client.logout()
    login(client, event_creator())
    html = client.get(URL).content.decode()
    assert f'href="{reverse("challenges:event_create")}">Create an event</a>' in html


def test_the_page_and_the_link_are_translated(client):
    login(client, UserFactory())
    with translation.override("pt"):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="pt")
    html = response.content.decode()
    assert "Meus eventos" in html
    assert "My events" not in html


def test_the_api_lists_only_my_events_with_my_role_when_asked(client):
    from rest_framework.test import APIClient

    user = UserFactory()
    organized = EventFactory(name="Organized hack", visibility=Event.Visibility.DRAFT)
    make_organizer(organized, username=user.username)
    registered = EventFactory(name="Registered hack")
    register(registered, user)
    EventFactory(name="Someone else's hack")
    api = APIClient()
    api.force_authenticate(user)

    everything = {e["slug"] for e in api.get("/api/v1/events/").json()["results"]}
    assert len(everything) == 3
    response = api.get("/api/v1/events/", {"mine": "true"})
    assert response.status_code == 200
    assert {(e["slug"], e["my_role"]) for e in response.json()["results"]} == {
        (organized.slug, "organizer"),
        (registered.slug, "participant"),
    }
