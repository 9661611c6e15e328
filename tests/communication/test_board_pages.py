from __future__ import annotations

import pytest

from challenges.models import AuditLog, TeamMembership
from communication import board
from communication.models import BoardProfile, JoinRequest
from tests.factories import EventFactory, TeamFactory, TermsFactory, UserFactory, register

pytestmark = pytest.mark.django_db


def test_a_participant_without_a_team_is_pointed_to_the_board_and_puts_themself_on_it(client, event):
    person = register(event)
    client.force_login(person)
    assert "/events/lima/board/" in client.get("/events/lima/").content.decode()
    response = client.post(
        "/events/lima/board/me/",
        {
            "pitch": "I map hotspots",
            "skills": ["GIS"],
            "languages": "es, en",
            "country": "pe",
            "timezone": "America/Lima",
        },
    )
    assert response.status_code == 302
    profile = BoardProfile.objects.get(user=person)
    assert profile.languages == ["en", "es"] and profile.country == "PE"
    page = client.get("/events/lima/board/").content.decode()
    assert "I map hotspots" in page and person.email not in page
    client.post("/events/lima/board/me/", {"withdraw": "1"})
    assert not BoardProfile.objects.exists()


def test_the_board_page_refuses_a_participant_of_another_event_and_says_why(client, event):
    board.board_profile_save(event=event, user=register(event), pitch="Lima only", skills=[], languages=[])
    elsewhere = EventFactory(slug="quito")
    TermsFactory(event=elsewhere)
    client.force_login(register(elsewhere))
    response = client.get("/events/lima/board/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Lima only" not in body and "registered participants" in body


def test_the_captain_invites_and_the_person_accepts_from_the_pages(client, event):
    captain = register(event)
    team = TeamFactory(event=event, captain=captain)
    person = register(event)
    board.board_profile_save(event=event, user=person, pitch="Law", skills=["law"], languages=["es"])
    client.force_login(captain)
    client.post("/events/lima/join-requests/", {"user": person.username, "message": "Join us"})
    request = JoinRequest.objects.get()
    client.force_login(person)
    assert "Join us" in client.get("/events/lima/board/").content.decode()
    client.post(f"/join-requests/{request.pk}/accept/")
    assert TeamMembership.objects.filter(team=team, user=person).exists()


def test_organizers_hide_and_show_entries_from_the_page_and_add_skills(client, event, organizer):
    profile = board.board_profile_save(event=event, user=register(event), pitch="rude", skills=[], languages=[])
    client.force_login(organizer)
    client.post(f"/events/lima/board/{profile.pk}/hide/")
    profile.refresh_from_db()
    assert profile.hidden_at is not None and AuditLog.objects.filter(action="board_hide").exists()
    client.post(f"/events/lima/board/{profile.pk}/hide/", {"show": "1"})
    profile.refresh_from_db()
    assert profile.hidden_at is None
    client.post("/events/lima/board/skills/", {"name": "OSINT"})
    assert "OSINT" in board.skills_of(event)
    client.force_login(UserFactory())
    assert client.post("/events/lima/board/skills/", {"name": "spam"}).status_code == 403


def test_the_captain_posts_open_seats_from_the_board_page_and_others_see_them(client, event):
    captain = register(event)
    TeamFactory(event=event, captain=captain, name="Mappers")
    client.force_login(captain)
    client.post("/events/lima/board/seats/", {"seats": "1", "skills": ["GIS"], "note": "Need a mapper"})
    client.force_login(register(event))
    page = client.get("/events/lima/board/").content.decode()
    assert "Mappers" in page and "Need a mapper" in page
