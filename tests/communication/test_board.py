from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from challenges.models import AuditLog, Team, TeamMembership
from communication import board
from communication.matching import rank, suggestion_score, working_overlap_hours
from communication.models import BoardProfile, JoinRequest
from tests.factories import EventFactory, TeamFactory, TermsFactory, UserFactory, register

pytestmark = pytest.mark.django_db


def _on_board(event, user=None, **kwargs):
    user = user or register(event)
    fields = {
        "pitch": "GIS person",
        "skills": ["GIS"],
        "languages": ["es"],
        "country": "PE",
        "timezone_name": "America/Lima",
    }
    return board.board_profile_save(event=event, user=user, **(fields | kwargs))


def test_a_participant_opts_in_updates_and_withdraws_through_the_api(api, event):
    user = register(event)
    api.force_authenticate(user)
    body = {
        "pitch": "Graphs and law",
        "skills": ["graph analysis", "law"],
        "languages": ["pt", "en"],
        "country": "BR",
        "timezone": "America/Sao_Paulo",
    }
    response = api.put("/api/v1/events/lima/board/me/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["skills"] == ["graph analysis", "law"] and "email" not in response.json()
    assert api.get("/api/v1/events/lima/board/me/").json()["timezone"] == "America/Sao_Paulo"
    assert api.delete("/api/v1/events/lima/board/me/").status_code == 204
    assert not BoardProfile.objects.exists()
    assert api.get("/api/v1/events/lima/board/me/").status_code == 404


def test_it_refuses_a_skill_that_is_not_on_the_events_list_until_the_organizers_add_it(api, event, organizer):
    user = register(event)
    api.force_authenticate(user)
    body = {"pitch": "Hi", "skills": ["forensic accounting"]}
    response = api.put("/api/v1/events/lima/board/me/", body, format="json")
    assert response.status_code == 400 and "forensic accounting" in response.json()["detail"]
    board.skill_add(event=event, actor=organizer, name="forensic accounting")
    assert api.put("/api/v1/events/lima/board/me/", body, format="json").status_code == 200


def test_the_board_is_visible_only_to_registered_participants_of_the_same_event(api, event, organizer):
    _on_board(event, pitch="Secret pitch")
    other_event = EventFactory(slug="quito")
    TermsFactory(event=other_event)
    outsider = register(other_event)
    api.force_authenticate(outsider)
    response = api.get("/api/v1/events/lima/board/")
    assert response.status_code == 403 and "Secret pitch" not in response.content.decode()
    api.force_authenticate(UserFactory())
    assert api.get("/api/v1/events/lima/board/").status_code == 403
    api.force_authenticate(register(event))
    rows = api.get("/api/v1/events/lima/board/").json()
    assert [row["pitch"] for row in rows] == ["Secret pitch"]
    assert "@" not in str(rows)  # never an email address


def test_the_board_filters_by_skill_language_and_country(api, event):
    _on_board(event, pitch="one", skills=["GIS"], languages=["es"], country="PE")
    _on_board(event, pitch="two", skills=["law"], languages=["fr"], country="FR")
    api.force_authenticate(register(event))
    assert [r["pitch"] for r in api.get("/api/v1/events/lima/board/?skill=law").json()] == ["two"]
    assert [r["pitch"] for r in api.get("/api/v1/events/lima/board/?language=ES").json()] == ["one"]
    assert [r["pitch"] for r in api.get("/api/v1/events/lima/board/?country=fr").json()] == ["two"]


def test_organizers_hide_an_abusive_entry_and_it_is_audited(api, event, organizer):
    profile = _on_board(event, pitch="abusive words")
    board.board_profile_hide(profile=profile, actor=organizer)
    assert AuditLog.objects.filter(event=event, action="board_hide").exists()
    api.force_authenticate(register(event))
    assert api.get("/api/v1/events/lima/board/").json() == []
    api.force_authenticate(organizer)
    assert api.get("/api/v1/events/lima/board/").json()[0]["hidden"] is True
    with pytest.raises(Exception, match="Only the organizers"):
        board.board_profile_hide(profile=profile, actor=register(event))


def test_a_person_asks_a_team_the_captain_accepts_and_the_persons_other_requests_close(api, event):
    captain = register(event)
    team = TeamFactory(event=event, captain=captain)
    other_team = TeamFactory(event=event)
    person = register(event)
    _on_board(event, user=person)
    api.force_authenticate(person)
    response = api.post("/api/v1/events/lima/join-requests/", {"team": team.pk, "message": "I map"}, format="json")
    assert response.status_code == 201, response.json()
    first = response.json()["id"]
    second = api.post("/api/v1/events/lima/join-requests/", {"team": other_team.pk}, format="json").json()["id"]
    assert api.post(f"/api/v1/join-requests/{first}/accept/").status_code == 403  # not the person's to accept
    api.force_authenticate(captain)
    response = api.post(f"/api/v1/join-requests/{first}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert TeamMembership.objects.filter(team=team, user=person).exists()
    assert JoinRequest.objects.get(pk=second).status == "closed"
    assert not BoardProfile.objects.filter(user=person).exists()
    assert api.post(f"/api/v1/join-requests/{first}/decline/").status_code == 409


def test_a_captain_invites_a_board_member_who_declines(api, event):
    captain = register(event)
    TeamFactory(event=event, captain=captain)
    person = register(event)
    _on_board(event, user=person)
    api.force_authenticate(captain)
    response = api.post("/api/v1/events/lima/join-requests/", {"user": person.username}, format="json")
    assert response.status_code == 201 and response.json()["direction"] == "to_person"
    again = api.post("/api/v1/events/lima/join-requests/", {"user": person.username}, format="json")
    assert again.status_code == 409
    api.force_authenticate(person)
    assert api.post(f"/api/v1/join-requests/{response.json()['id']}/decline/").json()["status"] == "declined"
    stranger = register(event)  # not on the board: cannot be invited
    api.force_authenticate(captain)
    assert api.post("/api/v1/events/lima/join-requests/", {"user": stranger.username}, format="json").status_code == 404


def test_accepting_stays_within_the_team_size_limit(event):
    event.team_size_max = 2
    event.save()
    captain = register(event)
    team = TeamFactory(event=event, captain=captain)
    people = [register(event) for _ in range(2)]
    requests = [board.join_request_create(event=event, actor=p, team=team) for p in people]
    board.join_request_accept(request_id=requests[0].pk, actor=captain)
    with pytest.raises(Exception, match="full"):
        board.join_request_accept(request_id=requests[1].pk, actor=captain)
    assert team.memberships.count() == 2
    assert JoinRequest.objects.get(pk=requests[1].pk).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_never_overfill_a_team():
    """Two captains' accepts race for the last seat: the team-row lock of team_join lets one through.

    On SQLite writes are serialized by the database; on PostgreSQL the row lock does it (the lead's
    PostgreSQL run covers that engine)."""
    event = EventFactory(slug="race", team_size_max=2)
    TermsFactory(event=event)
    captain = register(event)
    team = TeamFactory(event=event, captain=captain)
    people = [register(event) for _ in range(3)]
    requests = [board.join_request_create(event=event, actor=p, team=team) for p in people]
    outcomes = []

    def accept(request_id):
        try:
            board.join_request_accept(request_id=request_id, actor=captain)
            outcomes.append("ok")
        except Exception as exc:  # the refusal, or SQLite's "database is locked"
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r.pk,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Team.objects.get(pk=team.pk).memberships.count() == 2
    assert outcomes.count("ok") == 1


def test_working_hours_overlap_between_time_zones():
    day = date(2026, 3, 2)
    assert working_overlap_hours("America/Lima", "America/Bogota", day) == 9
    assert working_overlap_hours("America/Lima", "Europe/Madrid", day) == 3  # Lima 09-12 = Madrid 15-18
    assert working_overlap_hours("America/Lima", "Asia/Tokyo", day) == 0


def test_the_suggestion_rule_favours_complementary_skills_then_overlapping_hours():
    day = date(2026, 3, 2)
    me = {"skills": ["GIS"], "languages": ["es"], "timezone": "America/Lima"}
    same_skills = {"skills": ["GIS"], "languages": ["es"], "timezone": "America/Lima"}
    far_lawyer = {"skills": ["law"], "languages": ["es"], "timezone": "Asia/Tokyo"}
    near_lawyer = {"skills": ["law"], "languages": ["es"], "timezone": "America/Bogota"}
    two_skills = {"skills": ["law", "design"], "languages": ["es", "en"], "timezone": "Europe/Madrid"}
    no_common_language = {"skills": ["law", "design", "data science"], "languages": ["fr"], "timezone": "America/Lima"}
    assert suggestion_score(me, same_skills, day) is None
    assert suggestion_score(me, no_common_language, day) is None
    assert suggestion_score(me, near_lawyer, day) == 2 + 9 / 3 + 1
    ranked = [
        row for _score, row in rank(me, [same_skills, far_lawyer, near_lawyer, two_skills, no_common_language], day)
    ]
    assert ranked == [near_lawyer, two_skills, far_lawyer]


def test_suggestions_for_a_board_member_come_from_the_same_event(event):
    me = register(event)
    _on_board(event, user=me, skills=["GIS"])
    lawyer = _on_board(event, skills=["law"], timezone_name="America/Bogota")
    _on_board(event, skills=["GIS"])
    assert [p.pk for _s, p in board.suggestions_for(event=event, viewer=me)] == [lawyer.pk]


def test_a_captain_posts_open_seats_within_the_size_limit_and_a_full_team_drops_off(api, event):
    from communication.models import OpenSeats

    captain = register(event)
    team = TeamFactory(event=event, captain=captain)  # 1 of 3 members
    with pytest.raises(Exception, match="2 free seat"):
        board.open_seats_set(team=team, actor=captain, seats=3, skills=["law"])
    with pytest.raises(Exception, match="captain"):
        board.open_seats_set(team=team, actor=register(event), seats=1, skills=[])
    board.open_seats_set(team=team, actor=captain, seats=2, skills=["law"], note="We need a lawyer")
    viewer = register(event)
    assert [p.team_id for p in board.open_seats_of(event=event, viewer=viewer, skill="LAW")] == [team.pk]
    assert board.open_seats_of(event=event, viewer=viewer, skill="GIS") == []
    from tests.factories import add_member

    add_member(team)
    add_member(team)
    assert board.open_seats_of(event=event, viewer=viewer) == []  # full now
    board.open_seats_set(team=team, actor=captain, seats=0, skills=[])
    assert not OpenSeats.objects.exists()
