"""Platform notifications by email: submission scored or failed, results published, scoring failures on the
platform's side (to the organizers). One email choice per kind, RFC 8058 headers, the reader's language
and time zone, exactly once through the delivery log."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from challenges import services as challenge_services
from communication import services, tasks
from communication.models import Delivery, EmailOptOut, Notification
from communication.selectors import notification_text
from submissions.services import submission_score
from tests.factories import PhaseFactory, make_organizer, register
from tests.submissions.factories import MALFORMED_CSV, SubmissionFactory, open_phase

pytestmark = pytest.mark.django_db


def test_a_scored_submission_is_emailed_once_through_the_delivery_log_even_when_the_task_runs_twice(
    django_capture_on_commit_callbacks,
):
    submission = SubmissionFactory(phase=open_phase())
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=submission.pk)
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.email, delivery.user_id) == ("submission", "sent", submission.submitted_by_id)
    assert delivery.notification.code == "submission_scored" and delivery.announcement is None
    # The job delivered twice (a retried message, beat's sweep): still one email.
    tasks.email_deliveries([delivery.pk])
    tasks.email_deliveries([delivery.pk])
    services.announcements_send_due()
    # The signal heard twice (a replayed job): still one notification and one email.
    services.notify_submission_finished(submission_id=submission.pk, status="scored")
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1 and Delivery.objects.count() == 1
    message = mail.outbox[0]
    assert "was scored" in message.subject and f"/submissions/{submission.pk}/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_submission_email_can_be_switched_off_alone_by_its_unsubscribe_link(
    client, django_capture_on_commit_callbacks
):
    phase = open_phase()
    first = SubmissionFactory(phase=phase)
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=first.pk)
    link = urlparse(mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>"))
    assert client.post(link.path).status_code == 200  # one click, no login
    uploader = first.submitted_by
    assert set(EmailOptOut.objects.filter(user=uploader).values_list("kind", flat=True)) == {"submission"}
    second = SubmissionFactory(phase=phase, team=first.team, submitted_by=uploader)
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=second.pk)
    assert len(mail.outbox) == 1  # no second email, but the notification is there
    assert Notification.objects.filter(user=uploader).count() == 2
    assert Delivery.objects.get(notification__params__submission=second.pk).email == Delivery.Email.SKIPPED


def test_a_failed_submission_is_emailed_in_the_uploaders_language(django_capture_on_commit_callbacks):
    phase = open_phase()
    bad = SubmissionFactory(phase=phase, file=ContentFile(MALFORMED_CSV, name="bad.csv"))
    bad.submitted_by.language = "pt"
    bad.submitted_by.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=bad.pk)
    assert Notification.objects.get().code == "submission_failed"
    body = mail.outbox[0].body
    assert "Não foi possível avaliar" in body and "Você recebe esta mensagem" in body


def test_a_platform_failure_tells_the_organizers_by_notification_email_and_dashboard_before_the_uploader(
    client, django_capture_on_commit_callbacks
):
    phase = open_phase()
    event = phase.challenge.event
    organizer = make_organizer(event)
    phase.challenge.truth_file = ""
    phase.challenge.save(update_fields=["truth_file"])
    submission = SubmissionFactory(phase=phase)
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_score(submission_id=submission.pk) == "failed"
    alert = Notification.objects.get(user=organizer)
    told = Notification.objects.get(user=submission.submitted_by)
    assert (alert.kind, alert.code) == ("alert", "scoring_alert") and alert.pk < told.pk
    assert told.code == "submission_failed_platform"
    with translation.override("en"):
        assert "no answer key" in notification_text(alert)[1]
        assert "The organizers have been told" in notification_text(told)[1]
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {organizer.email, submission.submitted_by.email}
    assert "The organizers have been told." in by_person[submission.submitted_by.email].body
    assert "no answer key" in by_person[organizer.email].body
    assert Delivery.objects.get(user=organizer).kind == "alert"
    client.force_login(organizer)
    page = client.get(f"/events/{event.slug}/dashboard/").content.decode()
    assert 'id="scoring-alerts"' in page and submission.original_name in page


def test_a_file_that_is_wrong_does_not_alarm_the_organizers(client, django_capture_on_commit_callbacks):
    phase = open_phase()
    organizer = make_organizer(phase.challenge.event)
    bad = SubmissionFactory(phase=phase, file=ContentFile(MALFORMED_CSV, name="bad.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=bad.pk)
    assert not Notification.objects.filter(user=organizer).exists()
    client.force_login(organizer)
    assert 'id="scoring-alerts"' not in client.get(f"/events/{phase.challenge.event.slug}/dashboard/").content.decode()


def test_published_results_are_emailed_once_to_participants_who_want_them(django_capture_on_commit_callbacks):
    phase = PhaseFactory(closes_at=timezone.now() - timedelta(hours=1), opens_at=timezone.now() - timedelta(days=2))
    event = phase.challenge.event
    organizer = make_organizer(event)
    keen, quiet = register(event), register(event)
    EmailOptOut.objects.create(user=quiet, kind="results")
    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.phase_publish_results(phase=phase, actor=organizer, published=True)
    services.notify_results_published(phase_id=phase.pk)  # heard twice
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert "published" in mail.outbox[0].subject
    assert mail.outbox[0].extra_headers["List-Unsubscribe"]
    assert Notification.objects.filter(code="results_published").count() == 2
    assert dict(Delivery.objects.values_list("user_id", "email")) == {keen.pk: "sent", quiet.pk: "skipped"}


def test_a_reminder_email_shows_the_time_in_the_readers_zone(django_capture_on_commit_callbacks):
    now = timezone.now()
    phase = PhaseFactory(opens_at=now - timedelta(days=2), closes_at=now + timedelta(minutes=30))
    reader = register(phase.challenge.event)
    reader.timezone = "Asia/Tokyo"
    reader.save(update_fields=["timezone"])
    with django_capture_on_commit_callbacks(execute=True):
        services.phase_reminders_send(now=now)
    assert "UTC+0900" in mail.outbox[0].body
    assert Delivery.objects.get().kind == "reminder"
