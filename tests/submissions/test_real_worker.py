"""Scoring through real Celery worker processes: the happy path, a worker killed mid-job, a job over its
time limit, and an upload made while the broker (Redis) is down.

The web side runs in this process (the test client); workers are separate processes sharing the test
database (a SQLite file, or the PostgreSQL server of the outer suite) and the private files folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import kombu.pools
import pytest
from django.conf import settings
from django.utils import timezone

from hackplatform.celery import app as celery_app
from submissions import services
from submissions.models import LeaderboardEntry, Submission
from submissions.scoring import registry
from tests.services import celery_worker, free_port, need_binary, redis_server

from .factories import MALFORMED_CSV, open_phase, scored_challenge, team_in, upload

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
SLOW = "slow=tests.submissions.slow_scorer:SlowScorer"


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextlib.contextmanager
def broker(url: str, options: dict | None = None):
    """Send tasks from this process to a real broker instead of running them inline."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)

    def reset_pools():
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._after_fork()
        # kombu keeps producer pools per connection in a global registry: a closed one left there answers
        # "Acquire on closed pool" to the next test that sends to the same broker.
        kombu.pools.reset()

    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = url, options or {}, False
    reset_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
        reset_pools()


def filesystem_broker(tmp_path: Path):
    folder = tmp_path / "broker"
    for sub in ("queue", "processed", "results"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
    return broker("filesystem://", options), {"BROKER_DIR": str(folder), "REDIS_URL": "", "CELERY_BROKER_URL": ""}


def worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url(),
        "PRIVATE_ROOT": str(settings.PRIVATE_ROOT),
        "SCORING_EXTRA_SCORERS": SLOW,
        "HACKPLATFORM_TEST_HOLD": str(tmp_path / "hold"),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **extra,
    }


def wait_for(pk: int, statuses: set[str], log: Path, timeout: float = 40) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=pk)
        if submission.status in statuses:
            return submission
        time.sleep(0.2)
    raise AssertionError(f"submission {pk} is {submission.status}, not {statuses}\n" + log.read_text()[-4000:])


def post(client, phase, user, content=None):
    client.force_login(user)
    response = client.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload(content)})
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def slow_kind(settings):
    settings.SCORING_EXTRA_SCORERS = [SLOW]
    registry.clear_cache()
    yield scored_challenge(kind="slow", truth="id\nx\n")
    registry.clear_cache()


def test_uploads_go_queued_running_scored_through_a_real_worker_and_reach_the_leaderboard(client, tmp_path):
    phase = open_phase()
    team = team_in(phase)
    sending, env = filesystem_broker(tmp_path)
    log = tmp_path / "worker.log"
    with sending:
        good = post(client, phase, team.captain)
        bad = post(client, phase, team.captain, MALFORMED_CSV)
        assert Submission.objects.get(pk=good).status == Status.QUEUED
        with celery_worker(worker_env(tmp_path, **env), log=log) as worker:
            scored = wait_for(good, {Status.SCORED, Status.FAILED}, log)
            failed = wait_for(bad, {Status.SCORED, Status.FAILED}, log)
            # The processes that scored them run at a lower CPU priority than the web (SCORING_WORKER_NICENESS).
            children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
            assert children and all(
                os.getpriority(os.PRIO_PROCESS, int(child)) == os.getpriority(os.PRIO_PROCESS, 0) + 10
                for child in children
            )
    assert scored.status == Status.SCORED, scored.error
    assert failed.status == Status.FAILED and "line 3" in failed.error
    assert LeaderboardEntry.objects.filter(phase=phase, submission_id=good, split="public").exists()


def test_a_worker_killed_mid_job_loses_nothing_the_sweeper_sends_it_again(client, tmp_path, slow_kind):
    phase = open_phase(challenge=slow_kind)
    team = team_in(phase)
    (tmp_path / "hold").touch()
    sending, env = filesystem_broker(tmp_path)
    first_log, second_log = tmp_path / "worker1.log", tmp_path / "worker2.log"
    with sending:
        pk = post(client, phase, team.captain)
        with celery_worker(worker_env(tmp_path, **env), log=first_log) as worker:
            running = wait_for(pk, {Status.RUNNING}, first_log)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        assert running.attempts == 1
        assert Submission.objects.get(pk=pk).status == Status.RUNNING  # stuck: nobody will finish it

        later = timezone.now() + services.running_stale_after() + timedelta(seconds=1)
        assert services.submissions_sweep(now=later)["requeued"] == 1
        (tmp_path / "hold").unlink()
        with celery_worker(worker_env(tmp_path, **env), log=second_log):
            done = wait_for(pk, {Status.SCORED, Status.FAILED}, second_log)
    assert done.status == Status.SCORED and done.attempts == 2
    assert done.public_score == 1.0


def test_a_job_over_its_soft_time_limit_ends_failed_with_the_reason(client, tmp_path, slow_kind, settings):
    # The limits travel in the message (read from settings when it is sent), and the worker reads them too.
    settings.SCORING_SOFT_TIME_LIMIT, settings.SCORING_HARD_TIME_LIMIT = 2, 20
    phase = open_phase(challenge=slow_kind)
    team = team_in(phase)
    (tmp_path / "hold").touch()
    sending, env = filesystem_broker(tmp_path)
    log = tmp_path / "worker.log"
    limits = {"SCORING_SOFT_TIME_LIMIT": "2", "SCORING_HARD_TIME_LIMIT": "20"}
    with sending:
        pk = post(client, phase, team.captain)
        with celery_worker(worker_env(tmp_path, **env, **limits), log=log):
            done = wait_for(pk, {Status.SCORED, Status.FAILED}, log)
    assert done.status == Status.FAILED
    assert "took longer than 2 seconds" in done.error


def test_an_upload_made_while_the_broker_is_down_is_accepted_and_scored_once_it_is_back(client, tmp_path):
    need_binary("redis-server")
    phase = open_phase()
    team = team_in(phase)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    log = tmp_path / "worker.log"
    with broker(url):
        started = time.monotonic()
        pk = post(client, phase, team.captain)  # nothing listens on the port: the broker is down
        assert time.monotonic() - started < 15
        waiting = Submission.objects.get(pk=pk)
        assert waiting.status == Status.QUEUED and waiting.enqueued_at is None

        with redis_server(tmp_path / "redis", port):
            assert services.submissions_sweep()["resent"] == 1
            with celery_worker(worker_env(tmp_path, REDIS_URL=url, CELERY_BROKER_URL=""), log=log):
                done = wait_for(pk, {Status.SCORED, Status.FAILED}, log)
    assert done.status == Status.SCORED, done.error
