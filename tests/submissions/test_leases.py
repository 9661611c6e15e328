"""Leases: a running job holds its claim only while its worker's heartbeat renews it.

A worker that dies stops renewing, so the sweeper takes its jobs back within a lease (not the hard time
limit); a worker that comes back after losing its claim cannot write its result (the token changed);
a queued job whose message the broker lost is sent again within seconds when the queue is empty.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from submissions import services
from submissions.models import Submission
from submissions.scoring import registry
from submissions.services import lease_heartbeat, submission_score, submissions_sweep
from submissions.services.uploads import send_scoring_job

from .factories import SubmissionFactory, open_phase, scored_challenge
from .test_real_worker import SLOW, filesystem_broker

Status = Submission.Status


def running(phase, *, claimed_ago: float, lease_left: float, token: str = "t" * 32, attempts: int = 1) -> Submission:
    now = timezone.now()
    return SubmissionFactory(
        phase=phase,
        status=Status.RUNNING,
        attempts=attempts,
        claimed_at=now - timedelta(seconds=claimed_ago),
        lease_token=token,
        lease_expires_at=now + timedelta(seconds=lease_left),
    )


@pytest.mark.django_db
def test_a_running_job_whose_lease_lapsed_is_sent_again_long_before_the_hard_time_limit(
    django_capture_on_commit_callbacks, settings
):
    settings.SCORING_HARD_TIME_LIMIT = 360
    phase = open_phase()
    dead = running(phase, claimed_ago=40, lease_left=-10)  # its worker stopped beating 10 s ago
    alive = running(phase, claimed_ago=300, lease_left=20, token="u" * 32)  # slow, but beating
    with django_capture_on_commit_callbacks(execute=True):
        assert submissions_sweep()["requeued"] == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == Status.SCORED and dead.attempts == 2
    assert alive.status == Status.RUNNING


@pytest.mark.django_db
def test_a_job_whose_lease_lapsed_after_the_last_attempt_ends_failed_with_the_reason(
    django_capture_on_commit_callbacks,
):
    poison = running(open_phase(), claimed_ago=40, lease_left=-1, attempts=services.max_attempts())
    with django_capture_on_commit_callbacks(execute=True):
        assert submissions_sweep()["gave_up"] == 1
    poison.refresh_from_db()
    assert poison.status == Status.FAILED and poison.lease_token == ""
    assert f"after {services.max_attempts()} attempts" in poison.error


@pytest.mark.django_db
def test_the_sweeper_does_not_take_back_a_lease_renewed_after_it_read_the_row(monkeypatch):
    job = running(open_phase(), claimed_ago=40, lease_left=-1)
    original = Submission.objects.filter
    renewed = []

    def renew_between_read_and_update(*args, **kwargs):
        # The heartbeat lands between the sweeper's read and its conditional update.
        if kwargs.get("pk") == job.pk and "lease_token" in kwargs and not renewed:
            renewed.append(True)
            services.lease_renew(submission_id=job.pk, token=job.lease_token)
        return original(*args, **kwargs)

    monkeypatch.setattr(Submission.objects, "filter", renew_between_read_and_update)
    assert submissions_sweep()["requeued"] == 0
    job.refresh_from_db()
    assert job.status == Status.RUNNING and job.lease_expires_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_the_job_runs_and_stops_when_the_claim_is_taken(settings):
    settings.SCORING_HEARTBEAT_SECONDS, settings.SCORING_LEASE_SECONDS = 1, 3
    job = running(open_phase(), claimed_ago=1, lease_left=1)
    first = job.lease_expires_at
    with lease_heartbeat(submission_id=job.pk, token=job.lease_token) as lost:
        time.sleep(1.6)
        job.refresh_from_db()
        assert job.lease_expires_at > first + timedelta(seconds=1)
        Submission.objects.filter(pk=job.pk).update(lease_token="someone-else")
        assert lost.wait(timeout=3)  # the next beat finds the claim gone and stops


@pytest.fixture
def slow_kind(settings, monkeypatch, tmp_path):
    settings.SCORING_EXTRA_SCORERS = [SLOW]
    registry.clear_cache()
    monkeypatch.setenv("HACKPLATFORM_TEST_HOLD", str(tmp_path / "hold"))
    yield scored_challenge(kind="slow", truth="id\nx\n")
    registry.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_comes_back_after_losing_its_lease_cannot_write_its_result(tmp_path, slow_kind, monkeypatch):
    job = SubmissionFactory(phase=open_phase(challenge=slow_kind))
    hold = tmp_path / "hold"
    hold.touch()
    outcomes: dict[str, str] = {}
    frozen = threading.Thread(target=lambda: outcomes.update(first=submission_score(submission_id=job.pk)))
    frozen.start()  # worker 1 claims it, then hangs in the scorer without beating (a paused VM, a GC stall)
    deadline = time.monotonic() + 10
    while Submission.objects.get(pk=job.pk).status != Status.RUNNING and time.monotonic() < deadline:
        time.sleep(0.05)
    first_token = Submission.objects.get(pk=job.pk).lease_token
    Submission.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    sent = []
    monkeypatch.setattr(services.sweeper, "send_scoring_job", sent.append)  # the broker: worker 2 is called below
    assert submissions_sweep()["requeued"] == 1  # the sweeper takes it back ...
    assert sent == [job.pk]
    hold.unlink()
    assert submission_score(submission_id=job.pk) == "scored"  # ... worker 2 scores it
    frozen.join(timeout=10)
    assert outcomes["first"] == "superseded"  # worker 1 wakes up: its write is refused
    job.refresh_from_db()
    assert job.status == Status.SCORED and job.attempts == 2
    assert job.lease_token == "" and job.lease_token != first_token
    assert job.results.count() == 1


@pytest.mark.django_db
def test_a_queued_job_the_broker_lost_is_sent_again_after_the_short_bound_when_the_queue_is_empty(
    django_capture_on_commit_callbacks, settings
):
    settings.SCORING_QUEUED_LOST_SECONDS, settings.SCORING_QUEUED_STALE_SECONDS = 20, 120
    phase = open_phase()
    lost = SubmissionFactory(phase=phase, enqueued_at=timezone.now() - timedelta(seconds=30))
    just_sent = SubmissionFactory(phase=phase, enqueued_at=timezone.now() - timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert submissions_sweep()["resent"] == 1
    lost.refresh_from_db()
    just_sent.refresh_from_db()
    assert lost.status == Status.SCORED
    assert just_sent.status == Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_job_waiting_its_turn_in_a_real_broker_is_not_sent_twice_but_is_once_the_broker_loses_it(tmp_path, settings):
    settings.SCORING_QUEUED_LOST_SECONDS, settings.SCORING_QUEUED_STALE_SECONDS = 20, 120
    sending, _env = filesystem_broker(tmp_path)
    queue = tmp_path / "broker" / "queue"
    with sending:
        job = SubmissionFactory(phase=open_phase())
        assert send_scoring_job(job.pk)
        Submission.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(seconds=30))
        assert services.waiting_in_broker() == 1
        assert submissions_sweep()["resent"] == 0  # its message is still there: a backlog, not a loss

        for message in queue.iterdir():  # the broker loses its queue
            message.unlink()
        assert services.waiting_in_broker() == 0
        assert submissions_sweep()["resent"] == 1
        assert services.waiting_in_broker() == 1  # sent again


def test_beat_sweeps_often_enough_that_a_dead_workers_job_runs_again_within_a_minute(settings):
    from submissions.tasks import sweep_submissions

    sweep = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == sweep_submissions.name)
    assert sweep["schedule"] + settings.SCORING_LEASE_SECONDS < 60
    assert settings.SCORING_QUEUED_LOST_SECONDS + sweep["schedule"] < 60
    assert settings.SCORING_HEARTBEAT_SECONDS * 3 <= settings.SCORING_LEASE_SECONDS
    # Its own queue: a deadline backlog of scoring jobs does not hold the sweep back.
    assert settings.CELERY_TASK_ROUTES[sweep_submissions.name]["queue"] != settings.CELERY_TASK_DEFAULT_QUEUE
