from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from communication import services
from communication.models import Announcement, Delivery, EmailOptOut, Notification
from tests.factories import UserFactory, register
from tests.submissions.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


def _create(event, organizer, **kwargs):
    fields = {"title": "Deadline moved", "body": "The **deadline** moved by a day."} | kwargs
    return services.announcement_create(event=event, actor=organizer, **fields)


def test_an_announcement_sent_now_reaches_every_registered_participant_once_by_notification_and_email(
    event, organizer, participants, judge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        announcement = _create(event, organizer)
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    assert set(Notification.objects.filter(announcement=announcement).values_list("user_id", flat=True)) == {
        p.pk for p in participants
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in participants)
    assert set(Delivery.objects.filter(announcement=announcement).values_list("email", flat=True)) == {"sent"}
    # Sending again (a duplicated message, beat) changes nothing.
    assert services.announcement_send(announcement_id=announcement.pk) == 0
    services.announcements_send_due()
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(announcement=announcement).count() == 3


def test_every_email_has_rfc_8058_one_click_unsubscribe_headers(
    event, organizer, participants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _create(event, organizer)
    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http") and "/unsubscribe/" in link
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.strip("<>") in message.body


def test_email_goes_only_to_verified_addresses_in_the_recipients_language(
    event, organizer, django_capture_on_commit_callbacks
):
    spanish = register(event, UserFactory(language="es"))
    unverified = register(event, UserFactory(email_verified_at=None))
    with django_capture_on_commit_callbacks(execute=True):
        _create(event, organizer, translations={"es": {"title": "Plazo cambiado", "body": "El plazo cambió."}})
    assert [m.to[0] for m in mail.outbox] == [spanish.email]
    assert "Plazo cambiado" in mail.outbox[0].subject and "El plazo cambió." in mail.outbox[0].body
    assert Notification.objects.filter(user=unverified).count() == 1  # on the site all the same
    assert Delivery.objects.get(user=unverified).email == Delivery.Email.SKIPPED


@pytest.mark.parametrize(
    ("audience", "expected"),
    [("everyone", {"a", "b", "lone"}), ("challenge", {"a"}), ("not_submitted", {"b", "lone"}), ("judges", {"judy"})],
)
def test_each_audience_reaches_the_right_people(event, organizer, judge, challenge, audience, expected):
    from challenges.models import Team, TeamMembership
    from tests.submissions.factories import open_phase

    phase = open_phase(challenge=challenge)
    people = {name: register(event, UserFactory(username=name)) for name in ("a", "b", "lone")}
    teams = {}
    for name in ("a", "b"):
        teams[name] = Team.objects.create(event=event, name=f"T{name}", country="PE", captain=people[name])
        TeamMembership.objects.create(team=teams[name], user=people[name], event=event)
    SubmissionFactory(phase=phase, team=teams["a"], submitted_by=people["a"])
    announcement = _create(
        event, organizer, audience=audience, challenge=challenge if audience == "challenge" else None
    )
    services.announcement_send(announcement_id=announcement.pk)
    names = set(Notification.objects.filter(announcement=announcement).values_list("user__username", flat=True))
    assert names == expected


def test_a_scheduled_announcement_waits_then_beat_sends_it_exactly_once(event, organizer, participants):
    announcement = _create(event, organizer, send_at=timezone.now() + timedelta(hours=2))
    assert services.announcements_send_due()["announcements"] == 0
    assert not Notification.objects.exists()
    Announcement.objects.filter(pk=announcement.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    assert services.announcements_send_due()["announcements"] == 1
    assert services.announcements_send_due()["announcements"] == 0
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


def test_a_scheduled_send_interrupted_by_a_worker_restart_is_sent_whole_by_the_next_beat(
    event, organizer, participants, monkeypatch
):
    announcement = _create(event, organizer, send_at=timezone.now() + timedelta(minutes=5))
    Announcement.objects.filter(pk=announcement.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    real_bulk_create = Notification.objects.bulk_create

    def worker_killed(*args, **kwargs):
        raise SystemExit("worker restarted")  # the process dies half-way: the transaction rolls back

    monkeypatch.setattr(Notification.objects, "bulk_create", worker_killed)
    with pytest.raises(SystemExit):
        services.announcement_send(announcement_id=announcement.pk)
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SCHEDULED and not Delivery.objects.exists()
    monkeypatch.setattr(Notification.objects, "bulk_create", real_bulk_create)
    assert services.announcements_send_due()["announcements"] == 1
    assert Notification.objects.count() == 3 and Delivery.objects.count() == 3 and len(mail.outbox) == 3


def test_a_failed_email_is_retried_and_an_interrupted_one_is_never_sent_twice(
    event, organizer, participants, monkeypatch
):
    from django.core.mail import EmailMessage

    announcement = _create(event, organizer, send_at=timezone.now() + timedelta(minutes=5))
    Announcement.objects.filter(pk=announcement.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    real_send = EmailMessage.send
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("mail server down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    services.announcement_send(announcement_id=announcement.pk)  # on_commit does not run: email by beat
    services.deliveries_email(announcement_id=announcement.pk)
    assert Delivery.objects.filter(email=Delivery.Email.PENDING, attempts=1).count() == 1
    services.announcements_send_due()
    assert Delivery.objects.filter(email=Delivery.Email.SENT).count() == 3 and len(mail.outbox) == 3
    # A worker that died after claiming an email: beat marks it failed rather than risk a second email.
    stuck = Delivery.objects.first()
    Delivery.objects.filter(pk=stuck.pk).update(
        email=Delivery.Email.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    services.announcements_send_due()
    assert Delivery.objects.get(pk=stuck.pk).email == Delivery.Email.FAILED
    assert len(mail.outbox) == 3


def test_an_opted_out_participant_gets_the_notification_but_no_email(event, organizer, participants):
    EmailOptOut.objects.create(user=participants[0], kind="announcement")
    announcement = _create(event, organizer, send_at=timezone.now() + timedelta(minutes=5))
    Announcement.objects.filter(pk=announcement.pk).update(send_at=timezone.now())
    services.announcements_send_due()
    assert participants[0].email not in [m.to[0] for m in mail.outbox]
    assert Notification.objects.filter(user=participants[0]).exists()


def test_organizers_create_schedule_edit_and_cancel_through_the_api(api, event, organizer, participants, challenge):
    api.force_authenticate(organizer)
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = api.post(
        "/api/v1/events/lima/announcements/",
        {
            "title": "Dataset fixed",
            "body": "See v2.",
            "audience": "challenge",
            "challenge": "hotspots",
            "send_at": later,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "scheduled" and created["challenge"] == "hotspots"
    response = api.patch(f"/api/v1/announcements/{created['id']}/", {"title": "Dataset v2"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Dataset v2"
    assert api.delete(f"/api/v1/announcements/{created['id']}/").status_code == 204
    assert Announcement.objects.get(pk=created["id"]).status == "cancelled"
    Announcement.objects.filter(pk=created["id"]).update(send_at=timezone.now())
    services.announcements_send_due()
    assert not Notification.objects.exists()
    listed = api.get("/api/v1/events/lima/announcements/").json()
    assert [row["id"] for row in listed] == [created["id"]]


def test_a_sent_announcement_can_no_longer_be_changed_and_the_api_says_why(api, event, organizer, participants):
    announcement = _create(event, organizer)
    services.announcement_send(announcement_id=announcement.pk)
    api.force_authenticate(organizer)
    response = api.patch(f"/api/v1/announcements/{announcement.pk}/", {"title": "Changed"}, format="json")
    assert response.status_code == 409
    assert "already sent" in response.json()["detail"]
    assert api.delete(f"/api/v1/announcements/{announcement.pk}/").status_code == 409


def test_participants_cannot_write_announcements_and_read_only_those_sent_to_them(api, event, organizer, participants):
    api.force_authenticate(participants[0])
    response = api.post("/api/v1/events/lima/announcements/", {"title": "x", "body": "y"}, format="json")
    assert response.status_code == 403 and response.json()["detail"]
    sent = _create(event, organizer)
    services.announcement_send(announcement_id=sent.pk)
    late = register(event)  # registered after it went out: it was not sent to them
    _create(event, organizer, send_at=timezone.now() + timedelta(days=1))
    rows = api.get("/api/v1/events/lima/announcements/").json()
    assert [row["id"] for row in rows] == [sent.pk] and rows[0]["recipients"] is None
    api.force_authenticate(late)
    assert api.get("/api/v1/events/lima/announcements/").json() == []


def test_someone_outside_the_event_is_refused_the_announcements_and_told_why(api, event, organizer):
    api.force_authenticate(UserFactory())
    response = api.get("/api/v1/events/lima/announcements/")
    assert response.status_code == 403 and "Register" in response.json()["detail"]


def test_it_refuses_a_challenge_audience_without_a_challenge(api, event, organizer):
    api.force_authenticate(organizer)
    response = api.post(
        "/api/v1/events/lima/announcements/", {"title": "x", "body": "y", "audience": "challenge"}, format="json"
    )
    assert response.status_code == 400 and "challenge" in response.json()["detail"]
    assert not Announcement.objects.exists()


def test_the_banner_shows_unread_announcements_on_the_event_page_sanitized_until_read(
    client, event, organizer, participants
):
    announcement = _create(event, organizer, body="Hello <script>alert(1)</script> **all**")
    services.announcement_send(announcement_id=announcement.pk)
    reader = participants[0]
    client.force_login(reader)
    page = client.get("/events/lima/").content.decode()
    assert "Deadline moved" in page and "<strong>all</strong>" in page and "<script>alert" not in page
    notification = Notification.objects.get(user=reader)
    client.post(f"/notifications/{notification.pk}/read/", {"next": "/events/lima/"})
    assert "Deadline moved" not in client.get("/events/lima/").content.decode()
    client.force_login(UserFactory())
    assert "Deadline moved" not in client.get("/events/lima/").content.decode()


def test_the_organizers_page_writes_announcements_and_shows_the_delivery_log(client, event, organizer, participants):
    client.force_login(organizer)
    assert client.get("/events/lima/announcements/").status_code == 200
    response = client.post(
        "/events/lima/announcements/", {"title": "Welcome", "body": "Hi", "audience": "everyone", "send_at": ""}
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get(title="Welcome")
    services.announcement_send(announcement_id=announcement.pk)
    services.deliveries_email(announcement_id=announcement.pk)
    log = client.get(f"/announcements/{announcement.pk}/").content.decode()
    assert all(p.username in log for p in participants) and "Sent" in log
    client.force_login(participants[0])
    assert client.get(f"/announcements/{announcement.pk}/").status_code == 403


def test_odd_input_is_refused_with_a_reason_never_a_server_error(api, event, organizer):
    api.force_authenticate(organizer)
    url = "/api/v1/events/lima/announcements/"
    cases = [
        {"title": "x", "body": "y", "send_at": "9999-12-31T23:59:00Z"},
        {"title": "x", "body": "y", "send_at": "2001-01-01T00:00:00Z"},
        {"title": "x", "body": "y", "translations": {"xx": {"title": "t"}}},
        {"title": "x", "body": "y", "audience": "challenge", "challenge": "nope"},
        {"title": " ", "body": "y"},
    ]
    for body in cases:
        response = api.post(url, body, format="json")
        assert 400 <= response.status_code < 500 and response.json()["detail"], body
    assert not Announcement.objects.exists()
    api.force_authenticate(register(event))
    for body in ({"team": 10**30}, {"team": "x"}, {"user": "nobody"}, {}):
        response = api.post("/api/v1/events/lima/join-requests/", body, format="json")
        assert 400 <= response.status_code < 500, body
    response = api.put("/api/v1/events/lima/board/me/", {"pitch": "p", "timezone": "../../etc/passwd"}, format="json")
    assert response.status_code == 400 and "time zone" in response.json()["detail"]
