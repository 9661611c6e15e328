from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communication import services
from communication.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, **kwargs):
    params = {"challenge": "Hotspots", "phase": "Main", "file": "p.csv"}
    return services.notification_create(user=user, kind="submission", code="submission_scored", params=params, **kwargs)


def test_the_api_lists_the_callers_notifications_newest_first_with_the_unread_count(api):
    user, other = UserFactory(), UserFactory()
    first, second = _notify(user), _notify(user)
    _notify(other)
    services.notification_mark_read(user=user, notification_id=first.pk)
    api.force_authenticate(user)
    body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 2 and body["unread"] == 1
    assert [row["id"] for row in body["results"]] == [second.pk, first.pk]
    assert set(body["results"][0]) == {"id", "kind", "title", "body", "url", "created_at", "read_at"}
    assert body["results"][0]["title"] == "Your submission to Hotspots was scored"


def test_marking_read_one_and_all(api):
    user = UserFactory()
    one, _two = _notify(user), _notify(user)
    api.force_authenticate(user)
    response = api.post(f"/api/v1/notifications/{one.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert api.get("/api/v1/notifications/").json()["unread"] == 1
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1, "unread": 0}
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_it_refuses_to_mark_someone_elses_notification_and_says_why(api):
    owner, stranger = UserFactory(), UserFactory()
    notification = _notify(owner)
    api.force_authenticate(stranger)
    response = api.post(f"/api/v1/notifications/{notification.pk}/read/")
    assert response.status_code == 404
    assert response.json()["detail"] == "You have no notification with this id."
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_header_shows_the_unread_count_with_one_query_whatever_the_number(client):
    user = UserFactory()
    client.force_login(user)
    _notify(user)
    with CaptureQueriesContext(connection) as few:
        response = client.get("/notifications/")
    assert 'class="badge"' in response.content.decode()
    for _ in range(20):
        _notify(user)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    with CaptureQueriesContext(connection) as many_again:
        client.get("/")
    counts = [q["sql"] for q in many.captured_queries if "communication_notification" in q["sql"]]
    assert len(counts) == 1, counts
    assert len(many.captured_queries) == len(many_again.captured_queries)
    assert few.captured_queries  # the list page reads the notifications too


def test_the_list_page_marks_read_and_opens_the_notifications_url(client):
    user = UserFactory()
    notification = _notify(user, url="/events/")
    client.force_login(user)
    page = client.get("/notifications/").content.decode()
    assert "Your submission to Hotspots was scored" in page
    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/events/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_anonymous_visitors_get_no_notifications(api, client):
    assert api.get("/api/v1/notifications/").status_code in (401, 403)
    assert client.get("/notifications/").status_code == 302
