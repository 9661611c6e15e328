"""A scheduled announcement sent through real Celery worker processes, across a worker restart.

The web side runs in this process; workers are separate processes sharing the test database (as in
tests/submissions/test_real_worker.py). Emails go to the console backend, i.e. the workers' logs.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from communication import services
from communication.models import Announcement, Delivery, Notification
from communication.tasks import send_due
from tests.factories import EventFactory, TermsFactory, make_organizer, register
from tests.services import celery_worker
from tests.submissions.test_real_worker import filesystem_broker, worker_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait_sent(pk: int, logs, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Delivery.objects.filter(announcement_id=pk).exclude(email=Delivery.Email.SENT).exists() and (
            Delivery.objects.filter(announcement_id=pk).exists()
        ):
            return
        time.sleep(0.2)
    raise AssertionError("not sent:\n" + "\n".join(log.read_text()[-3000:] for log in logs if log.exists()))


def test_a_scheduled_announcement_is_sent_exactly_once_after_a_worker_restart(tmp_path):
    event = EventFactory(slug="restart", name="Restart hack")
    TermsFactory(event=event)
    organizer = make_organizer(event)
    people = [register(event) for _ in range(3)]
    announcement = services.announcement_create(
        event=event,
        actor=organizer,
        title="Deadline moved",
        body="By a day.",
        send_at=timezone.now() + timedelta(hours=1),
    )
    sending, env = filesystem_broker(tmp_path)
    first_log, second_log = tmp_path / "worker1.log", tmp_path / "worker2.log"
    with sending:
        with celery_worker(worker_env(tmp_path, **env), log=first_log) as worker:
            time.sleep(2)
            os.killpg(worker.pid, signal.SIGKILL)  # the worker dies (a deploy, a crash)
            worker.wait(timeout=10)
        # It is due now; beat ticks twice while no worker runs (the messages wait in the broker).
        Announcement.objects.filter(pk=announcement.pk).update(send_at=timezone.now() - timedelta(seconds=1))
        send_due.delay()
        send_due.delay()
        with celery_worker(worker_env(tmp_path, **env), log=second_log):
            _wait_sent(announcement.pk, [first_log, second_log])
            time.sleep(1)  # let the second beat message be handled too
    logs = first_log.read_text() + second_log.read_text()
    assert logs.count("Subject: [Restart hack] Deadline moved") == len(people)
    assert Notification.objects.filter(announcement=announcement).count() == len(people)
    assert Announcement.objects.get(pk=announcement.pk).status == Announcement.Status.SENT
