"""Both journeys through the REST API (paths and field names from spec/api.md), and its refusals."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from knox.models import AuthToken

from challenges import hooks, services
from challenges.models import Challenge, Event, EventRole, Phase, Registration, TeamMembership
from tests.factories import (
    ChallengeFactory,
    EventFactory,
    PhaseFactory,
    TeamFactory,
    UserFactory,
    add_member,
    event_creator,
    register,
)

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def auth(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return user


# Organizer journey --------------------------------------------------------------------------------


def test_an_organizer_sets_up_an_event_end_to_end_through_the_api(api):
    organizer = auth(api, event_creator())
    response = api.post(
        "/api/v1/events/",
        {
            "name": "API hack",
            "slug": "api-hack",
            "description": "Hi",
            "timezone": "America/Sao_Paulo",
            "visibility": "published",
            "team_size_min": 1,
            "team_size_max": 3,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["my_role"] == "organizer"
    event = Event.objects.get(slug="api-hack")
    services.terms_publish(event=event, actor=organizer, text="terms")

    response = api.post(
        "/api/v1/challenges/",
        {
            "event": "api-hack",
            "kind": "detection",
            "title": "Flag accounts",
            "description": "d",
            "dataset": {"seed": 3, "size": "small"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["primary_metric"] == "average_precision"
    assert body["has_dataset"] is True
    challenge_id = body["id"]

    response = api.post(
        "/api/v1/phases/",
        {
            "challenge": challenge_id,
            "name": "Main",
            "opens_at": "2030-01-01T09:00:00-03:00",
            "closes_at": "2030-01-31T18:00",  # no offset: read in the event's zone
            "daily_limit": 5,
            "total_limit": 50,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    phase = response.json()
    assert phase["opens_at"] == "2030-01-01T09:00:00-03:00"
    assert phase["closes_at"] == "2030-01-31T18:00:00-03:00"
    assert phase["is_open"] is False

    response = api.patch(f"/api/v1/phases/{phase['id']}/", {"daily_limit": 2, "results_published": True}, format="json")
    assert response.status_code == 200
    assert response.json()["daily_limit"] == 2
    assert response.json()["results_published"] is True

    response = api.patch("/api/v1/events/api-hack/", {"description": "Updated", "roster_unlocked": True}, format="json")
    assert response.status_code == 200
    assert response.json()["description"] == "Updated"
    assert response.json()["roster_unlocked"] is True

    response = api.get("/api/v1/challenges/?event=api-hack")
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["phases"][0]["daily_limit"] == 2


def test_a_user_without_the_right_cannot_create_an_event_and_is_told_why(api):
    auth(api, UserFactory())
    response = api.post(
        "/api/v1/events/", {"name": "X", "slug": "x", "timezone": "UTC", "visibility": "draft"}, format="json"
    )
    assert response.status_code == 403
    assert "right to create events" in response.json()["detail"]


def test_a_participant_cannot_edit_an_event(api, event):
    auth(api, register(event))
    response = api.patch(f"/api/v1/events/{event.slug}/", {"name": "Hacked"}, format="json")
    assert response.status_code == 403
    assert "organizers" in response.json()["detail"]
    event.refresh_from_db()
    assert event.name != "Hacked"


def test_an_empty_patch_by_a_participant_is_still_refused(api, phase):
    auth(api, register(phase.challenge.event))
    assert api.patch(f"/api/v1/phases/{phase.pk}/", {}, format="json").status_code == 403
    assert api.patch(f"/api/v1/challenges/{phase.challenge.pk}/", {}, format="json").status_code == 403
    assert api.patch(f"/api/v1/events/{phase.challenge.event.slug}/", {}, format="json").status_code == 403


def test_a_participant_cannot_add_challenges_or_phases(api, event, challenge_with_data):
    auth(api, register(event))
    response = api.post("/api/v1/challenges/", {"event": event.slug, "kind": "judged", "title": "X"}, format="json")
    assert response.status_code == 403
    response = api.post(
        "/api/v1/phases/",
        {
            "challenge": challenge_with_data.pk,
            "name": "P",
            "opens_at": "2030-01-01T00:00:00Z",
            "closes_at": "2030-01-02T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Phase.objects.filter(name="P").exists()


def test_an_organizer_of_another_event_sees_no_draft_here(api):
    draft = EventFactory(visibility=Event.Visibility.DRAFT)
    ChallengeFactory(event=draft, title="Hidden challenge")
    other = EventFactory()
    from tests.factories import make_organizer

    auth(api, make_organizer(other))
    assert api.get(f"/api/v1/events/{draft.slug}/").status_code == 404
    assert draft.slug not in [e["slug"] for e in api.get("/api/v1/events/").json()["results"]]
    assert api.get(f"/api/v1/challenges/?event={draft.slug}").json()["count"] == 0
    response = api.post("/api/v1/challenges/", {"event": draft.slug, "kind": "judged", "title": "X"}, format="json")
    assert response.status_code == 404


def test_events_are_paginated(api):
    EventFactory.create_batch(3)
    body = api.get("/api/v1/events/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3


def test_an_invite_only_event_is_reached_with_its_token(api):
    event = EventFactory(visibility=Event.Visibility.INVITE_ONLY)
    user = auth(api, UserFactory())
    assert api.get(f"/api/v1/events/{event.slug}/").status_code == 404
    assert api.get(f"/api/v1/events/{event.slug}/?invite={event.invite_token}").status_code == 200
    assert api.post(f"/api/v1/events/{event.slug}/register/", {"accept_terms": True}, format="json").status_code == 404
    response = api.post(
        f"/api/v1/events/{event.slug}/register/", {"accept_terms": True, "invite": event.invite_token}, format="json"
    )
    assert response.status_code == 201
    assert Registration.objects.filter(user=user, event=event).exists()


def test_an_uploaded_banner_that_is_not_an_image_answers_400(api, event):
    from tests.factories import make_organizer

    auth(api, make_organizer(event))
    response = api.patch(
        f"/api/v1/events/{event.slug}/",
        {"banner": SimpleUploadedFile("b.png", b"GIF89a not really")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "not an image" in response.json()["detail"]


def test_organizers_upload_their_own_dataset_through_the_api(api, event, organizer):
    challenge = ChallengeFactory(event=event, kind="hotspot")
    auth(api, organizer)
    response = api.post(
        f"/api/v1/challenges/{challenge.pk}/dataset/",
        {
            "truth_file": SimpleUploadedFile("truth.csv", b"cell_id,split,count\nc1,public,2\n"),
            "public_files": SimpleUploadedFile("sample_submission.csv", b"cell_id,score\nc1,0\n"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["dataset_source"] == "uploaded"


def test_organizers_invite_judges_and_participants_cannot(api, event, organizer):
    judge = UserFactory(username="judy")
    auth(api, register(event))
    assert api.post(f"/api/v1/events/{event.slug}/judges/", {"username": "judy"}, format="json").status_code == 403
    assert api.get(f"/api/v1/events/{event.slug}/judges/").status_code == 403
    auth(api, organizer)
    response = api.post(f"/api/v1/events/{event.slug}/judges/", {"username": "judy"}, format="json")
    assert response.status_code == 201
    assert EventRole.objects.filter(event=event, user=judge, role="judge").exists()
    assert api.get(f"/api/v1/events/{event.slug}/judges/").json()["results"][0]["username"] == "judy"
    response = api.post(f"/api/v1/events/{event.slug}/judges/", {"username": "ghost"}, format="json")
    assert response.status_code == 400
    assert "sign up first" in response.json()["detail"]


def test_site_staff_grant_organizer_rights(api, event):
    newcomer = UserFactory()
    auth(api, UserFactory(is_staff=True))
    response = api.post(f"/api/v1/events/{event.slug}/organizers/", {"username": newcomer.username}, format="json")
    assert response.status_code == 201
    assert services.is_organizer(newcomer, event)


# Participant journey ------------------------------------------------------------------------------


def test_a_participant_registers_forms_a_team_and_downloads_the_data_through_the_api(api, phase):
    event = phase.challenge.event
    alice = auth(api, UserFactory())
    response = api.post(f"/api/v1/events/{event.slug}/register/", {"accept_terms": False}, format="json")
    assert response.status_code == 400
    assert "accept" in response.json()["detail"]
    response = api.post(f"/api/v1/events/{event.slug}/register/", {"accept_terms": True}, format="json")
    assert response.status_code == 201
    assert response.json()["terms_version"] == 1

    response = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": "Alpha", "country": "KE"}, format="json")
    assert response.status_code == 201, response.json()
    team = response.json()
    assert team["join_code"]
    assert team["captain"] == alice.username

    bob = auth(api, register(event))
    listed = api.get(f"/api/v1/events/{event.slug}/teams/").json()
    assert listed["results"][0]["join_code"] is None  # not bob's team
    response = api.post(f"/api/v1/teams/{team['id']}/join/", {"join_code": team["join_code"]}, format="json")
    assert response.status_code == 200
    assert sorted(response.json()["members"]) == sorted([alice.username, bob.username])

    response = api.get(f"/api/v1/phases/{phase.pk}/dataset/")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert "sample_submission.csv" in names

    assert api.post(f"/api/v1/teams/{team['id']}/leave/").status_code == 204
    assert not TeamMembership.objects.filter(user=bob).exists()


def test_a_team_logo_is_reencoded_and_a_bomb_is_refused(api, event, settings):
    auth(api, register(event))
    settings.IMAGE_MAX_PIXELS = 10_000
    response = api.post(
        f"/api/v1/events/{event.slug}/teams/",
        {"name": "Bomb", "country": "KE", "logo": SimpleUploadedFile("l.png", png_bytes((500, 500)))},
        format="multipart",
    )
    assert response.status_code == 400
    assert "too many pixels" in response.json()["detail"]
    settings.IMAGE_MAX_PIXELS = 25_000_000
    response = api.post(
        f"/api/v1/events/{event.slug}/teams/",
        {"name": "Fine", "country": "KE", "logo": SimpleUploadedFile("l.webp", png_bytes((500, 500), fmt="WEBP"))},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["logo"].endswith(".webp")


def test_a_participant_cannot_create_a_team_before_registering(api, event):
    auth(api, UserFactory())
    response = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": "A", "country": "KE"}, format="json")
    assert response.status_code == 403
    assert "Register" in response.json()["detail"]


def test_a_participant_cannot_join_a_full_team(api, event):
    team = TeamFactory(event=event)
    add_member(team)
    add_member(team)
    auth(api, register(event))
    response = api.post(f"/api/v1/teams/{team.pk}/join/", {"join_code": team.join_code}, format="json")
    assert response.status_code == 400
    assert "full" in response.json()["detail"]


def test_a_participant_cannot_join_two_teams_in_one_event(api, event):
    first, second = TeamFactory(event=event), TeamFactory(event=event)
    auth(api, first.captain)
    response = api.post(f"/api/v1/teams/{second.pk}/join/", {"join_code": second.join_code}, format="json")
    assert response.status_code == 400
    assert "already in a team" in response.json()["detail"]
    response = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": "Third", "country": "KE"}, format="json")
    assert response.status_code == 400


def test_a_wrong_join_code_is_refused(api, event):
    team = TeamFactory(event=event)
    auth(api, register(event))
    response = api.post(f"/api/v1/teams/{team.pk}/join/", {"join_code": "nope"}, format="json")
    assert response.status_code == 400
    assert "join code" in response.json()["detail"]


def test_the_max_teams_cap_is_enforced(api):
    event = EventFactory(max_teams=1)
    TeamFactory(event=event)
    auth(api, register(event))
    response = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": "Late", "country": "KE"}, format="json")
    assert response.status_code == 400
    assert "maximum number of teams" in response.json()["detail"]


def test_the_data_is_refused_without_accepting_the_terms(api, phase, organizer):
    event = phase.challenge.event
    auth(api, UserFactory())
    response = api.get(f"/api/v1/phases/{phase.pk}/dataset/")
    assert response.status_code == 403
    assert "Register" in response.json()["detail"]
    user = register(event)
    auth(api, user)
    services.terms_publish(event=event, actor=organizer, text="v2")
    response = api.get(f"/api/v1/phases/{phase.pk}/dataset/")
    assert response.status_code == 403
    assert "data-use agreement changed" in response.json()["detail"]
    api.post(f"/api/v1/events/{event.slug}/register/", {"accept_terms": True}, format="json")
    assert api.get(f"/api/v1/phases/{phase.pk}/dataset/").status_code == 200


def test_the_data_of_another_events_invite_only_phase_is_not_found(api, event):
    hidden = EventFactory(visibility=Event.Visibility.INVITE_ONLY)
    phase = PhaseFactory(challenge=ChallengeFactory(event=hidden))
    auth(api, register(event))
    assert api.get(f"/api/v1/phases/{phase.pk}/").status_code == 404
    assert api.get(f"/api/v1/phases/{phase.pk}/dataset/").status_code == 404
    assert api.get(f"/api/v1/challenges/{phase.challenge.pk}/").status_code == 404


def test_a_participant_cannot_see_another_events_team_codes(api, event):
    team = TeamFactory(event=event)
    auth(api, register(EventFactory()))
    body = api.get(f"/api/v1/teams/{team.pk}/").json()
    assert body["join_code"] is None
    assert body["invite_url"] is None


def test_phase_api_reports_my_remaining_through_the_hook(api, phase):
    team = TeamFactory(event=phase.challenge.event)
    auth(api, team.captain)
    with hooks.phase_remaining_provider.overridden(None):
        assert api.get(f"/api/v1/phases/{phase.pk}/").json()["my_remaining"] is None
    resets = timezone.now() + timedelta(hours=3)
    with hooks.phase_remaining_provider.overridden(lambda p, u: {"today": 2, "total": None, "resets_at": resets}):
        body = api.get(f"/api/v1/phases/{phase.pk}/").json()
    assert body["my_remaining"]["today"] == 2
    assert body["my_remaining"]["total"] is None
    assert body["is_open"] is True
    assert body["opens_at"].endswith("-05:00")  # shown in the event's zone, with its offset


def test_the_captain_transfers_through_the_api(api, event):
    team = TeamFactory(event=event)
    member = add_member(team)
    auth(api, member)
    assert (
        api.post(f"/api/v1/teams/{team.pk}/captain/", {"username": member.username}, format="json").status_code == 403
    )
    auth(api, team.captain)
    response = api.post(f"/api/v1/teams/{team.pk}/captain/", {"username": member.username}, format="json")
    assert response.status_code == 200
    assert response.json()["captain"] == member.username


def test_a_draft_event_refuses_registration(api):
    event = EventFactory(visibility=Event.Visibility.DRAFT)
    from tests.factories import make_organizer

    make_organizer(event)
    auth(api, UserFactory())
    assert api.post(f"/api/v1/events/{event.slug}/register/", {"accept_terms": True}, format="json").status_code == 404


def test_generated_challenge_regenerates_when_the_seed_changes(api, event, organizer):
    auth(api, organizer)
    body = api.post(
        "/api/v1/challenges/",
        {"event": event.slug, "kind": "network", "title": "Net", "dataset": {"seed": 1}},
        format="json",
    ).json()
    challenge = Challenge.objects.get(pk=body["id"])
    assert challenge.truth_version == 1
    response = api.patch(
        f"/api/v1/challenges/{challenge.pk}/", {"dataset": {"seed": 2, "size": "small"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["truth_version"] == 2
    assert response.json()["dataset_seed"] == 2


# Refusals of malformed input found by tests/test_api_fuzz.py ---------------------------------------


def test_it_rejects_a_challenge_filter_that_is_not_a_whole_number(api, phase):
    # "²" passes str.isdigit() but not int(): it used to be a server error.
    for value in ("²", "abc", "-1"):
        response = api.get("/api/v1/phases/", {"challenge": value})
        assert response.status_code == 400, value
        assert "whole number" in response.json()["detail"]
    body = api.get("/api/v1/phases/", {"challenge": phase.challenge.pk}).json()
    assert [p["id"] for p in body["results"]] == [phase.pk]


def test_it_rejects_an_event_filter_that_is_not_a_slug(api, event):
    # A NUL character reached PostgreSQL, which refuses it in a query: a server error.
    for value in ("a\x00b", "two words"):
        response = api.get("/api/v1/challenges/", {"event": value})
        assert response.status_code == 400, value
        assert "slug" in response.json()["detail"]
    assert api.get("/api/v1/challenges/", {"event": "no-such-event"}).json()["count"] == 0


def test_it_rejects_phase_dates_outside_the_years_an_event_can_use(api, phase, organizer):
    # A naive 9999-12-31T23:00 overflowed converting from the event's zone, and a stored
    # 9999-12-31 plus a grace period made every listing of the phase a server error.
    auth(api, organizer)
    closes_at = phase.closes_at
    for body in (
        {"closes_at": "9999-12-31T23:00:00"},
        {"closes_at": "9999-12-31T23:59:59Z", "grace_seconds": 3600},
        {"opens_at": "0001-01-01T00:00:00", "closes_at": "0001-01-02T00:00:00"},
    ):
        response = api.patch(f"/api/v1/phases/{phase.pk}/", body, format="json")
        assert response.status_code == 400, body
        assert "between the years 2000 and 2999" in response.json()["detail"]
        assert set(response.json()["errors"]) <= {"opens_at", "closes_at"}
    phase.refresh_from_db()
    assert phase.closes_at == closes_at
    assert api.get("/api/v1/phases/").status_code == 200


def test_it_rejects_registration_dates_outside_the_years_an_event_can_use(api, event, organizer):
    auth(api, organizer)
    response = api.patch(
        f"/api/v1/events/{event.slug}/",
        {"timezone": "Asia/Tokyo", "registration_opens_at": "0001-01-01T00:00:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"registration_opens_at": ["Pick a date between the years 2000 and 2999."]}
    response = api.patch(
        f"/api/v1/events/{event.slug}/", {"registration_closes_at": "9999-12-31T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "registration_closes_at" in response.json()["errors"]


def test_it_rejects_a_nested_object_of_the_wrong_type_with_a_readable_detail(api, event, organizer):
    auth(api, organizer)
    response = api.post(
        "/api/v1/challenges/", {"event": event.slug, "kind": "network", "title": "N", "dataset": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "dataset: Invalid data. Expected a dictionary, but got str."


def test_it_explains_an_inverted_team_size_range_in_words(api):
    auth(api, event_creator())
    response = api.post(
        "/api/v1/events/",
        {
            "name": "Sizes",
            "slug": "sizes",
            "timezone": "UTC",
            "visibility": "draft",
            "team_size_min": 5,
            "team_size_max": 2,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "maximum team size must be at least the minimum" in response.json()["detail"]
    assert not Event.objects.filter(slug="sizes").exists()
