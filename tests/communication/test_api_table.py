"""The issue's API table, row by row, where the other files do not already pin it down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from communication import services
from communication.models import Announcement, Notification

pytestmark = pytest.mark.django_db


def test_a_sent_announcement_is_refused_as_sent_whatever_the_change_says(api, event, organizer, participants):
    announcement = services.announcement_create(event=event, actor=organizer, title="Now", body="Sent at once.")
    services.announcement_send(announcement_id=announcement.pk)
    api.force_authenticate(organizer)
    for change in ({"audience": "nobody"}, {"title": ""}, {"send_at": "not a time"}, {}):
        response = api.patch(f"/api/v1/announcements/{announcement.pk}/", change, format="json")
        assert response.status_code == 409, change
        assert response.json()["code"] == "already_sent" and "already sent" in response.json()["detail"]


def test_patch_with_send_at_null_sends_a_scheduled_announcement_now(
    api, event, organizer, participants, django_capture_on_commit_callbacks
):
    later = services.announcement_create(
        event=event, actor=organizer, title="Later", body="Tomorrow.", send_at=timezone.now() + timedelta(days=1)
    )
    api.force_authenticate(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"/api/v1/announcements/{later.pk}/", {"send_at": None}, format="json")
    assert response.status_code == 200
    assert Announcement.objects.get(pk=later.pk).status == "sent"
    assert Notification.objects.filter(announcement=later).count() == len(participants)
    assert api.delete(f"/api/v1/announcements/{later.pk}/").status_code == 409


def test_every_audience_of_the_table_is_accepted_and_another_is_refused(api, event, organizer, challenge):
    api.force_authenticate(organizer)
    later = (timezone.now() + timedelta(days=1)).isoformat()
    for audience in ("everyone", "challenge", "not_submitted", "judges"):
        body = {"title": "t", "body": "b", "audience": audience, "challenge": "hotspots", "send_at": later}
        response = api.post("/api/v1/events/lima/announcements/", body, format="json")
        assert response.status_code == 201 and response.json()["audience"] == audience
    response = api.post(
        "/api/v1/events/lima/announcements/", {"title": "t", "body": "b", "audience": "all"}, format="json"
    )
    assert response.status_code == 400 and "audience" in response.json()["detail"]


def test_platform_notifications_have_the_documented_shape(api, participants):
    reader = participants[0]
    services.notify(
        users=[reader],
        kind="judging",
        code="judge_assigned",
        params={"event": "Lima hack", "n": 2},
        url="/events/lima/judging/queue/",
        event=None,
        key="assignment:test",
    )
    api.force_authenticate(reader)
    body = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert set(body) == {"count", "unread", "results"} and (body["count"], body["unread"]) == (1, 1)
    row = body["results"][0]
    assert set(row) == {"id", "kind", "title", "body", "url", "created_at", "read_at"}
    assert row["kind"] == "judging" and row["body"].startswith("You have 2 new entries") and row["read_at"] is None
    assert api.post(f"/api/v1/notifications/{row['id']}/read/").json()["read_at"] is not None
