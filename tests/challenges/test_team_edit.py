"""Editing a team after it was created: the captain or an organizer, on the web page and through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from challenges.models import AuditLog, Team
from tests.factories import PhaseFactory, TeamFactory, UserFactory, add_member, make_organizer

from .conftest import login, png_bytes

pytestmark = pytest.mark.django_db


def auth(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return user


def lock_rosters(event):
    PhaseFactory(
        challenge__event=event,
        opens_at=timezone.now() - timedelta(days=3),
        closes_at=timezone.now() - timedelta(days=1),
    )


# Web page -----------------------------------------------------------------------------------------


def test_the_team_page_links_the_edit_page_for_the_captain_only(client, event):
    team = TeamFactory(event=event)
    member = add_member(team)
    edit_url = reverse("challenges:team_edit", args=[team.pk])
    login(client, team.captain)
    assert edit_url in client.get(reverse("challenges:team_detail", args=[team.pk])).content.decode()
    client.logout()
    login(client, member)
    assert edit_url not in client.get(reverse("challenges:team_detail", args=[team.pk])).content.decode()


def test_the_captain_renames_the_team_and_changes_its_country_and_logo_on_the_edit_page(client, event):
    team = TeamFactory(event=event, name="Old name", country="BR")
    login(client, team.captain)
    url = reverse("challenges:team_edit", args=[team.pk])
    page = client.get(url).content.decode()
    assert 'value="Old name"' in page and 'for="id_name"' in page
    response = client.post(
        url, {"name": "New name", "country": "PE", "logo": SimpleUploadedFile("logo.png", png_bytes((900, 600)))}
    )
    assert response.status_code == 302 and response.url == reverse("challenges:team_detail", args=[team.pk])
    team.refresh_from_db()
    assert (team.name, team.country.code) == ("New name", "PE")
    assert team.logo.name.endswith(".png")
    assert AuditLog.objects.filter(event=event, action="team_update", actor=team.captain).exists()


def test_a_new_logo_replaces_the_old_file(client, event, django_capture_on_commit_callbacks):
    team = TeamFactory(event=event)
    login(client, team.captain)
    url = reverse("challenges:team_edit", args=[team.pk])
    data = {"name": team.name, "country": "BR"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "logo": SimpleUploadedFile("a.png", png_bytes())})
    team.refresh_from_db()
    first = team.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "logo": SimpleUploadedFile("b.png", png_bytes((80, 80)))})
    team.refresh_from_db()
    assert first and team.logo.name != first
    assert team.logo.storage.exists(team.logo.name)
    assert not team.logo.storage.exists(first)


def test_an_organizer_may_edit_a_team_but_another_member_may_not(client, event):
    team = TeamFactory(event=event, name="Before")
    member = add_member(team)
    url = reverse("challenges:team_edit", args=[team.pk])
    login(client, member)
    response = client.get(url)
    assert response.status_code == 403
    assert response.context["reason"] == "Only the team's captain or the event's organizers can change this team."
    assert client.post(url, {"name": "Hijacked", "country": "BR"}).status_code == 403
    client.logout()
    login(client, make_organizer(event))
    assert client.post(url, {"name": "Renamed by the organizers", "country": "BR"}).status_code == 302
    team.refresh_from_db()
    assert team.name == "Renamed by the organizers"


def test_the_edit_page_shows_a_taken_name_next_to_the_field(client, event):
    TeamFactory(event=event, name="Taken")
    team = TeamFactory(event=event, name="Mine")
    login(client, team.captain)
    response = client.post(reverse("challenges:team_edit", args=[team.pk]), {"name": "taken", "country": "BR"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "A team of this event is already called “Taken”, which looks the same as “taken”. "
        "Choose a name that differs by more than case, spacing or look-alike letters."
    ]
    team.refresh_from_db()
    assert team.name == "Mine"


def test_the_edit_page_refuses_a_hostile_logo_with_a_message(client, event):
    team = TeamFactory(event=event, name="Mine")
    login(client, team.captain)
    response = client.post(
        reverse("challenges:team_edit", args=[team.pk]),
        {"name": "Evil", "country": "BR", "logo": SimpleUploadedFile("logo.png", b"<?php echo 1; ?>")},
    )
    assert response.status_code == 200
    assert "not an image we can read" in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Mine" and not team.logo


def test_the_edit_page_says_teams_are_locked_and_refuses_the_change(client, event):
    team = TeamFactory(event=event, name="Mine")
    lock_rosters(event)
    login(client, team.captain)
    url = reverse("challenges:team_edit", args=[team.pk])
    assert "Teams are locked" in client.get(url).content.decode()
    response = client.post(url, {"name": "Too late", "country": "BR"})
    assert response.status_code == 200
    assert "Teams are locked: the event&#x27;s last phase has closed." in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Mine"


# API ----------------------------------------------------------------------------------------------


def test_the_captain_patches_the_team_with_json(api, event):
    team = TeamFactory(event=event, name="Old", country="BR")
    auth(api, team.captain)
    response = api.patch(f"/api/v1/teams/{team.pk}/", {"name": "New", "country": "CL"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["country"]) == ("New", "CL")
    assert body["members"] == [team.captain.username]
    team.refresh_from_db()
    assert team.name == "New"


def test_the_captain_patches_the_logo_with_multipart(api, event):
    team = TeamFactory(event=event)
    auth(api, team.captain)
    response = api.patch(
        f"/api/v1/teams/{team.pk}/",
        {"logo": SimpleUploadedFile("logo.webp", png_bytes((40, 40), fmt="WEBP"))},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    team.refresh_from_db()
    assert team.logo.name.endswith(".webp")
    assert response.json()["logo"].endswith(".webp")


def test_a_member_who_is_not_captain_and_an_outsider_get_403_with_a_reason(api, event):
    team = TeamFactory(event=event, name="Keep")
    member = add_member(team)
    for user in (member, UserFactory()):
        auth(api, user)
        response = api.patch(f"/api/v1/teams/{team.pk}/", {"name": "Hijacked"}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "Only the team's captain or the event's organizers can change this team."
    api.credentials()
    assert api.patch(f"/api/v1/teams/{team.pk}/", {"name": "Anon"}, format="json").status_code in (401, 403)
    team.refresh_from_db()
    assert team.name == "Keep"


def test_an_organizer_patches_a_team_through_the_api(api, event):
    team = TeamFactory(event=event)
    auth(api, make_organizer(event))
    response = api.patch(f"/api/v1/teams/{team.pk}/", {"name": "Fixed by organizers"}, format="json")
    assert response.status_code == 200
    assert Team.objects.get(pk=team.pk).name == "Fixed by organizers"


def test_a_duplicate_name_in_the_event_is_refused_with_400_ignoring_case(api, event):
    TeamFactory(event=event, name="Alpha")
    TeamFactory(name="Beta")  # another event: the name is free here
    team = TeamFactory(event=event, name="Gamma")
    auth(api, team.captain)
    response = api.patch(f"/api/v1/teams/{team.pk}/", {"name": "ALPHA"}, format="json")
    assert response.status_code == 400
    message = (
        "A team of this event is already called “Alpha”, which looks the same as “ALPHA”. "
        "Choose a name that differs by more than case, spacing or look-alike letters."
    )
    assert response.json()["detail"] == message
    assert response.json()["errors"] == {"name": [message]}
    assert api.patch(f"/api/v1/teams/{team.pk}/", {"name": "Beta"}, format="json").status_code == 200


def test_renaming_a_team_to_its_own_name_in_another_case_is_allowed(api, event):
    team = TeamFactory(event=event, name="gamma")
    auth(api, team.captain)
    assert api.patch(f"/api/v1/teams/{team.pk}/", {"name": "Gamma"}, format="json").status_code == 200
    assert Team.objects.get(pk=team.pk).name == "Gamma"


@pytest.mark.parametrize(
    "content",
    [b"<?php echo 1; ?>", b"GIF89a" + b"\x00" * 40],
    ids=["script", "gif"],
)
def test_a_hostile_logo_is_refused_with_400_and_nothing_changes(api, event, content):
    team = TeamFactory(event=event, name="Keep")
    auth(api, team.captain)
    response = api.patch(
        f"/api/v1/teams/{team.pk}/",
        {"name": "Changed", "logo": SimpleUploadedFile("logo.png", content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "PNG, JPEG or WebP" in response.json()["detail"]
    team.refresh_from_db()
    assert team.name == "Keep" and not team.logo


def test_a_logo_with_too_many_pixels_is_refused_with_400(api, event, settings):
    settings.IMAGE_MAX_PIXELS = 10_000
    team = TeamFactory(event=event)
    auth(api, team.captain)
    response = api.patch(
        f"/api/v1/teams/{team.pk}/",
        {"logo": SimpleUploadedFile("logo.png", png_bytes((200, 200)))},
        format="multipart",
    )
    assert response.status_code == 400
    assert "too many pixels" in response.json()["detail"]


def test_a_locked_roster_refuses_the_edit_with_400(api, event):
    team = TeamFactory(event=event, name="Keep")
    lock_rosters(event)
    auth(api, team.captain)
    response = api.patch(f"/api/v1/teams/{team.pk}/", {"name": "Late"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Teams are locked")
    assert response.json()["code"] == "roster_locked"
    assert Team.objects.get(pk=team.pk).name == "Keep"


def test_a_team_of_an_event_the_caller_cannot_see_is_404(api):
    team = TeamFactory(event__visibility="draft")
    auth(api, UserFactory())
    assert api.patch(f"/api/v1/teams/{team.pk}/", {"name": "x"}, format="json").status_code == 404
