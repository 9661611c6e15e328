from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from challenges import services as challenge_services
from communication import services
from communication.models import Notification, PhaseReminder
from communication.selectors import notification_text
from submissions.services import submission_rescore, submission_score
from tests.factories import PhaseFactory, UserFactory, make_organizer, register
from tests.submissions.factories import MALFORMED_CSV, SubmissionFactory, open_phase

pytestmark = pytest.mark.django_db


def test_the_uploader_is_notified_when_a_submission_is_scored_or_fails_once(django_capture_on_commit_callbacks):
    phase = open_phase()
    good = SubmissionFactory(phase=phase)
    bad = SubmissionFactory(phase=phase, file=ContentFile(MALFORMED_CSV, name="bad.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=good.pk)
        submission_score(submission_id=bad.pk)
    codes = sorted(Notification.objects.values_list("code", "user_id"))
    assert codes == sorted([("submission_scored", good.submitted_by_id), ("submission_failed", bad.submitted_by_id)])
    scored = Notification.objects.get(code="submission_scored")
    assert scored.url == f"/submissions/{good.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        submission_rescore(submission=good, actor=make_organizer(phase.challenge.event))
    assert Notification.objects.count() == 2  # a re-score does not notify again


def test_publishing_results_notifies_the_registered_participants(django_capture_on_commit_callbacks):
    phase = PhaseFactory(closes_at=timezone.now() - timedelta(hours=1), opens_at=timezone.now() - timedelta(days=2))
    event = phase.challenge.event
    organizer = make_organizer(event)
    people = [register(event) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.phase_publish_results(phase=phase, actor=organizer, published=True)
    assert set(Notification.objects.filter(code="results_published").values_list("user_id", flat=True)) == {
        p.pk for p in people
    }
    with django_capture_on_commit_callbacks(execute=True):  # publishing again is idempotent: no new notification
        challenge_services.phase_publish_results(phase=phase, actor=organizer, published=True)
    assert Notification.objects.count() == 2


def test_a_phase_closing_gets_its_24_hour_and_1_hour_reminders_exactly_once_each(django_capture_on_commit_callbacks):
    now = timezone.now()
    phase = PhaseFactory(opens_at=now - timedelta(days=2), closes_at=now + timedelta(hours=23))
    reader = register(phase.challenge.event)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.phase_reminders_send(now=now) == 1
        assert services.phase_reminders_send(now=now + timedelta(minutes=1)) == 0
        assert services.phase_reminders_send(now=now + timedelta(hours=22, minutes=30)) == 1
        assert services.phase_reminders_send(now=now + timedelta(hours=22, minutes=31)) == 0
    assert list(PhaseReminder.objects.order_by("-hours").values_list("hours", flat=True)) == [24, 1]
    assert Notification.objects.filter(user=reader, code="phase_closes").count() == 2
    assert len(mail.outbox) == 2


def test_a_phase_first_seen_inside_the_last_hour_gets_only_the_1_hour_reminder():
    now = timezone.now()
    phase = PhaseFactory(opens_at=now + timedelta(minutes=30), closes_at=now + timedelta(days=3))
    register(phase.challenge.event)
    assert services.phase_reminders_send(now=now) == 1
    assert Notification.objects.get().code == "phase_opens"
    assert services.phase_reminders_send(now=now + timedelta(minutes=5)) == 0


def test_a_moved_deadline_gets_fresh_reminders():
    now = timezone.now()
    phase = PhaseFactory(opens_at=now - timedelta(days=2), closes_at=now + timedelta(minutes=50))
    register(phase.challenge.event)
    services.phase_reminders_send(now=now)
    phase.closes_at = now + timedelta(minutes=40)
    phase.save()
    assert services.phase_reminders_send(now=now) == 1


def test_the_reminder_shows_the_time_in_the_readers_time_zone(django_capture_on_commit_callbacks):
    now = timezone.now().replace(microsecond=0)
    phase = PhaseFactory(opens_at=now - timedelta(days=2), closes_at=now + timedelta(minutes=30))
    reader = register(phase.challenge.event, UserFactory(timezone="Asia/Kolkata"))
    with django_capture_on_commit_callbacks(execute=True):
        services.phase_reminders_send(now=now)
    assert "(UTC+0530)" in mail.outbox[0].body
    notification = Notification.objects.get(user=reader)
    with timezone.override("America/Lima"):
        assert "(UTC-0500)" in notification_text(notification)[1]


def test_reminder_emails_respect_the_opt_out(django_capture_on_commit_callbacks):
    from communication.models import Delivery, EmailOptOut

    now = timezone.now()
    phase = PhaseFactory(opens_at=now - timedelta(days=2), closes_at=now + timedelta(minutes=30))
    reader = register(phase.challenge.event)
    EmailOptOut.objects.create(user=reader, kind="reminder")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.phase_reminders_send(now=now) == 1
    assert mail.outbox == []
    assert Delivery.objects.get(user=reader).email == Delivery.Email.SKIPPED
