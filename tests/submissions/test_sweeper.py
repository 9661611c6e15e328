"""Nothing is stuck or lost: the sweeper sends again what the broker lost and ends what kills its worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from submissions import services
from submissions.models import Submission
from submissions.services import submissions_sweep
from submissions.tasks import score_submission, sweep_submissions

from .factories import SubmissionFactory, open_phase, team_in, upload

pytestmark = pytest.mark.django_db
Status = Submission.Status


def test_an_upload_made_while_the_broker_is_down_is_accepted_and_scored_once_it_is_back(
    api, monkeypatch, django_capture_on_commit_callbacks
):
    phase = open_phase()
    team = team_in(phase)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(score_submission, "apply_async", broker_down)
    api.force_authenticate(team.captain)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()}, format="multipart")
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.status == Status.QUEUED and submission.enqueued_at is None

    monkeypatch.undo()  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert submissions_sweep()["resent"] == 1
    submission.refresh_from_db()
    assert submission.status == Status.SCORED


def test_a_queued_submission_whose_job_was_lost_is_sent_again_after_the_bound(django_capture_on_commit_callbacks):
    phase = open_phase()
    fresh = SubmissionFactory(phase=phase, enqueued_at=timezone.now())
    lost = SubmissionFactory(phase=phase, enqueued_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        counts = submissions_sweep()
    assert counts == {"resent": 1, "requeued": 0, "gave_up": 0}
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == Status.SCORED
    assert fresh.status == Status.QUEUED


def test_a_running_submission_whose_worker_died_is_queued_again_and_scored(
    django_capture_on_commit_callbacks, settings
):
    settings.SCORING_HARD_TIME_LIMIT = 60
    phase = open_phase()
    stuck = SubmissionFactory(
        phase=phase, status=Status.RUNNING, attempts=1, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    alive = SubmissionFactory(phase=phase, status=Status.RUNNING, attempts=1, claimed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert submissions_sweep()["requeued"] == 1
    stuck.refresh_from_db()
    alive.refresh_from_db()
    assert stuck.status == Status.SCORED and stuck.attempts == 2
    assert alive.status == Status.RUNNING


def test_a_file_that_keeps_killing_its_worker_ends_failed_after_the_attempt_cap(django_capture_on_commit_callbacks):
    from django.core import mail

    phase = open_phase()
    poison = SubmissionFactory(
        phase=phase,
        status=Status.RUNNING,
        attempts=services.max_attempts(),
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert submissions_sweep()["gave_up"] == 1
    poison.refresh_from_db()
    assert poison.status == Status.FAILED
    assert f"after {services.max_attempts()} attempts" in poison.error
    assert poison.counts_toward_limit is False
    assert len(mail.outbox) == 1


def test_sweeping_twice_changes_nothing_more(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(services.sweeper, "send_scoring_job", lambda pk: sent.append(pk) or True)
    SubmissionFactory(phase=open_phase(), enqueued_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        first = submissions_sweep()
        second = submissions_sweep()
    assert first["resent"] == 1 and second["resent"] == 0
    assert len(sent) == 1


def test_the_sweeper_runs_every_minute_from_beat(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == sweep_submissions.name and entry["schedule"] <= 60 for entry in schedule.values())


def test_the_sweep_task_runs_the_service():
    assert sweep_submissions.delay().get() == {"resent": 0, "requeued": 0, "gave_up": 0}
