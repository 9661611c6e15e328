"""DELETE where it belongs: a draft event nobody registered for, a challenge nothing stands on, the caller's
own team membership, the caller's own token. Each refusal says why (409 with a code); each deletion is
recorded in the audit log, which outlives the event."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from challenges.models import AuditLog, Challenge, Event, TeamMembership
from submissions.models import Submission
from tests.factories import (
    ChallengeFactory,
    EventFactory,
    PhaseFactory,
    TeamFactory,
    UserFactory,
    add_member,
    make_organizer,
    register,
)

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_an_organizer_deletes_a_draft_event_and_the_audit_log_keeps_the_record():
    event = EventFactory(visibility=Event.Visibility.DRAFT, slug="to-go")
    organizer = make_organizer(event)
    ChallengeFactory(event=event)
    response = as_user(organizer).delete("/api/v1/events/to-go/")
    assert response.status_code == 204, response.content
    assert not Event.objects.filter(slug="to-go").exists()
    assert not Challenge.objects.filter(event_id=event.pk).exists()
    record = AuditLog.objects.get(action="event_delete")
    assert record.event is None and record.actor == organizer and record.details["event_slug"] == "to-go"


def test_it_refuses_to_delete_a_published_event_with_409_saying_why():
    event = EventFactory(visibility=Event.Visibility.PUBLISHED, slug="live")
    organizer = make_organizer(event)
    response = as_user(organizer).delete("/api/v1/events/live/")
    assert response.status_code == 409
    assert response.json()["code"] == "event_not_draft" and response.json()["detail"]
    assert Event.objects.filter(slug="live").exists()
    assert not AuditLog.objects.filter(action="event_delete").exists()


def test_it_refuses_to_delete_a_draft_event_someone_registered_for():
    event = EventFactory(visibility=Event.Visibility.DRAFT, slug="early")
    organizer = make_organizer(event)
    register(event)
    response = as_user(organizer).delete("/api/v1/events/early/")
    assert response.status_code == 409 and response.json()["code"] == "event_has_registrations"
    assert Event.objects.filter(slug="early").exists()


def test_it_refuses_a_participant_who_deletes_a_challenge_with_403():
    challenge = ChallengeFactory()
    participant = register(challenge.event)
    response = as_user(participant).delete(f"/api/v1/challenges/{challenge.pk}/")
    assert response.status_code == 403 and response.json()["detail"]
    assert Challenge.objects.filter(pk=challenge.pk).exists()


def test_an_organizer_deletes_a_challenge_without_submissions_and_it_is_audited():
    challenge = ChallengeFactory()
    PhaseFactory(challenge=challenge)
    organizer = make_organizer(challenge.event)
    response = as_user(organizer).delete(f"/api/v1/challenges/{challenge.pk}/")
    assert response.status_code == 204
    assert not Challenge.objects.filter(pk=challenge.pk).exists()
    record = AuditLog.objects.get(action="challenge_delete")
    assert record.event == challenge.event and record.details["challenge"] == challenge.slug


def test_it_refuses_to_delete_a_challenge_with_submissions_with_409():
    phase = PhaseFactory()
    team = TeamFactory(event=phase.challenge.event)
    Submission.objects.create(
        phase=phase,
        team=team,
        submitted_by=team.captain,
        file=ContentFile(b"id\n", name="p.csv"),
        received_at=timezone.now(),
    )
    organizer = make_organizer(phase.challenge.event)
    response = as_user(organizer).delete(f"/api/v1/challenges/{phase.challenge.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "challenge_has_submissions"
    assert Challenge.objects.filter(pk=phase.challenge.pk).exists()


def test_delete_on_members_me_leaves_the_team_like_the_leave_post_and_is_audited():
    team = TeamFactory()
    member = add_member(team)
    response = as_user(member).delete(f"/api/v1/teams/{team.pk}/members/me/")
    assert response.status_code == 204
    assert not TeamMembership.objects.filter(team=team, user=member).exists()
    assert AuditLog.objects.filter(action="team_leave", event=team.event, actor=member).exists()
    again = as_user(member).delete(f"/api/v1/teams/{team.pk}/members/me/")
    assert again.status_code == 400 and again.json()["detail"]


def test_revoking_a_token_is_recorded_in_the_audit_log():
    user = UserFactory()
    token, _key = account_services.token_create(user=user)
    assert as_user(user).delete(f"/api/v1/auth/tokens/{token.token_key}/").status_code == 204
    record = AuditLog.objects.get(action="token_revoke")
    assert record.actor == user and record.event is None and record.details["token"] == token.token_key


def test_the_pages_delete_a_draft_event_and_refuse_a_challenge_with_submissions_saying_why(client):
    draft = EventFactory(visibility=Event.Visibility.DRAFT, slug="page-draft")
    organizer = make_organizer(draft)
    client.force_login(organizer)
    edit = client.get(reverse("challenges:event_edit", args=["page-draft"]))
    assert reverse("challenges:event_delete", args=["page-draft"]) in edit.content.decode()
    response = client.post(reverse("challenges:event_delete", args=["page-draft"]), follow=True)
    assert response.status_code == 200 and not Event.objects.filter(slug="page-draft").exists()

    phase = PhaseFactory()
    team = TeamFactory(event=phase.challenge.event)
    Submission.objects.create(
        phase=phase,
        team=team,
        submitted_by=team.captain,
        file=ContentFile(b"id\n", name="p.csv"),
        received_at=timezone.now(),
    )
    event = phase.challenge.event
    organizer2 = make_organizer(event)
    client.force_login(organizer2)
    url = reverse("challenges:challenge_delete", args=[event.slug, phase.challenge.slug])
    response = client.post(url, follow=True)
    assert "This challenge has submissions" in response.content.decode()
    assert Challenge.objects.filter(pk=phase.challenge.pk).exists()
