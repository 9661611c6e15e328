"""Fault drills against real processes: Redis, Celery workers and beat (the sweep), with the site in this
process (the test client) and the database shared with the workers.

Each drill asserts: every upload accepted, none lost (every submission ends scored or failed), none
scored twice (one final outcome per submission across every worker's log), and records the seconds
from the last fault until the last submission is final (printed, and appended to var/drills.jsonl).

The suite runs them with short leases (lease 4 s, heartbeat 1 s, sweep every 2 s, lost after 3 s) so
they stay quick; HACKPLATFORM_DRILL_TIMINGS=production runs them with the production defaults
(30 s / 5 s / 15 s / 20 s) to measure the real recovery times (docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from hackplatform import cache as forgiving
from submissions.models import ScoreResult, Submission
from submissions.scoring import registry
from tests.services import (
    celery_beat,
    celery_worker,
    django_database_url,
    free_port,
    postgres_restart,
    redis_server,
    rerun_on_postgresql,
)

from .factories import open_phase, scored_challenge, team_in, upload
from .test_real_worker import SLOW, broker, worker_env

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
FINAL = {Status.SCORED, Status.FAILED}
STUBBORN = "stubborn=tests.submissions.slow_scorer:StubbornScorer"
PRODUCTION = os.environ.get("HACKPLATFORM_DRILL_TIMINGS") == "production"
TIMINGS = (
    {}
    if PRODUCTION
    else {
        "SCORING_LEASE_SECONDS": "4",
        "SCORING_HEARTBEAT_SECONDS": "1",
        "SCORING_SWEEP_SECONDS": "2",
        "SCORING_QUEUED_LOST_SECONDS": "3",
    }
)
# Every drill must end within a minute of its last fault, whatever the timings.
RECOVERY_BOUND = 60
OUTCOME = re.compile(r"submission (\d+): (scored|failed) \(attempt")
GAVE_UP = re.compile(r"submission (\d+) failed after \d+ attempts")


class Drill:
    """The processes of one drill and what they logged."""

    def __init__(self, name: str, tmp_path: Path, redis_url: str, **env: str):
        self.name, self.tmp, self.url = name, tmp_path, redis_url
        self.logs: list[Path] = []
        self.env = worker_env(
            tmp_path,
            REDIS_URL=redis_url,
            CELERY_BROKER_URL="",
            SCORING_EXTRA_SCORERS=f"{SLOW},{STUBBORN}",
            **TIMINGS,
            **env,
        )
        self.accepted = self.refused = self.restarts = 0

    def log(self, role: str) -> Path:
        path = self.tmp / f"{role}-{len(self.logs)}.log"
        self.logs.append(path)
        return path

    def worker(self, concurrency: int = 2):
        return celery_worker(self.env, concurrency=concurrency, log=self.log("worker"))

    @contextlib.contextmanager
    def supervised_worker(self, concurrency: int = 2):
        """A worker restarted whenever it exits, as compose's `restart: unless-stopped` does: Celery's
        worker can die on a broker outage ("Unrecoverable error" while restoring unacknowledged
        messages, celery/kombu#970-like) and production relies on the restart."""
        stop = threading.Event()

        def supervise():
            while not stop.is_set():
                with self.worker(concurrency) as proc:
                    while proc.poll() is None and not stop.is_set():
                        time.sleep(0.2)
                    if proc.poll() is not None and not stop.is_set():
                        self.restarts += 1

        thread = threading.Thread(target=supervise, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)

    def beat(self):
        return celery_beat(self.env, schedule=self.tmp / "beat-schedule", log=self.log("beat"))

    def upload(self, client, phase, user) -> int | None:
        client.force_login(user)
        response = client.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()})
        if response.status_code == 201:
            self.accepted += 1
            return response.json()["id"]
        self.refused += 1
        return None

    def wait_until(self, ids, statuses, timeout: float) -> list[Submission]:
        deadline = time.monotonic() + timeout
        while True:
            rows = list(Submission.objects.filter(pk__in=ids))
            if len(rows) == len(ids) and all(r.status in statuses for r in rows):
                return rows
            if time.monotonic() > deadline:
                tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.logs if p.exists())
                raise AssertionError(f"{self.name}: {[(r.pk, r.status) for r in rows]} not all {statuses}\n{tails}")
            time.sleep(0.2)

    def outcomes(self) -> Counter:
        """Final outcomes written per submission id, read from every worker's log."""
        counts: Counter = Counter()
        for path in self.logs:
            text = path.read_text(errors="replace") if path.exists() else ""
            counts.update(int(m.group(1)) for m in OUTCOME.finditer(text))
            counts.update(int(m.group(1)) for m in GAVE_UP.finditer(text))
        return counts

    def report(self, ids: list[int], uploads: int, fault_at: float, timeout: float = RECOVERY_BOUND + 30) -> dict:
        """Wait for every submission to be final; assert accepted, lost 0, scored twice 0; record the figures."""
        rows = self.wait_until(ids, FINAL, timeout)
        last_final = max(r.scored_at.timestamp() for r in rows)
        # The outcome line is written just after the commit (and the email): give the last one a moment.
        deadline = time.monotonic() + 10
        outcomes = self.outcomes()
        while any(outcomes[pk] == 0 for pk in ids) and time.monotonic() < deadline:
            time.sleep(0.2)
            outcomes = self.outcomes()
        figures = {
            "drill": self.name,
            "timings": "production" if PRODUCTION else "short",
            "uploads": uploads,
            "accepted": self.accepted,
            "lost": sum(1 for r in rows if r.status not in FINAL) + (uploads - len(rows)),
            "scored_twice": sum(1 for pk in ids if outcomes[pk] > 1),
            "recovery_seconds": round(last_final - fault_at, 1),
            "statuses": dict(Counter(r.status for r in rows)),
            "worker_restarts": self.restarts,
        }
        print(json.dumps(figures))
        out = Path(django_settings.VAR_DIR) / "drills.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a") as handle:
            handle.write(json.dumps({**figures, "at": timezone.now().isoformat()}) + "\n")
        assert figures["accepted"] == uploads
        assert figures["lost"] == 0
        assert figures["scored_twice"] == 0, outcomes
        assert all(outcomes[pk] == 1 for pk in ids), outcomes  # every final outcome was written by someone, once
        assert figures["recovery_seconds"] < RECOVERY_BOUND, figures
        return figures


@pytest.fixture
def drill_kinds(settings):
    settings.SCORING_EXTRA_SCORERS = [SLOW, STUBBORN]
    registry.clear_cache()
    yield
    registry.clear_cache()


def wait_running(ids, n: int, timeout: float = 40) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = list(Submission.objects.filter(pk__in=ids, status=Status.RUNNING).values_list("pk", flat=True))
        if len(running) >= n:
            return running
        time.sleep(0.1)
    raise AssertionError(f"fewer than {n} of {ids} running")


def test_drill_worker_killed_while_scoring_its_jobs_run_again_and_are_scored_within_a_minute(
    client, tmp_path, drill_kinds
):
    phase = open_phase(challenge=scored_challenge(kind="slow", truth="id\nx\n"))
    team = team_in(phase)
    hold = tmp_path / "hold"
    hold.touch()
    with redis_server(tmp_path / "redis") as url, broker(url):
        drill = Drill("worker SIGKILL while running", tmp_path, url)
        ids = [drill.upload(client, phase, team.captain) for _ in range(6)]
        with drill.beat():
            with drill.worker(concurrency=2) as first:
                killed = wait_running(ids, 2)
                os.killpg(first.pid, signal.SIGKILL)  # the worker and its children, mid-job
                first.wait(timeout=10)
            fault_at = time.time()
            hold.unlink()
            with drill.worker(concurrency=2):
                # Running again (claimed by the new worker) well within the minute, then scored.
                figures = drill.report(ids, 6, fault_at)
    rows = {s.pk: s for s in Submission.objects.filter(pk__in=ids)}
    assert all(rows[pk].status == Status.SCORED for pk in ids)
    assert {pk for pk in ids if rows[pk].attempts == 2} == set(killed)
    assert figures["recovery_seconds"] >= float(TIMINGS.get("SCORING_LEASE_SECONDS", 30)) - 2  # the lease had to lapse


def test_drill_redis_wiped_the_lost_messages_are_sent_again_within_a_minute(client, tmp_path, drill_kinds):
    phase = open_phase(challenge=scored_challenge(kind="slow", truth="id\nx\n"))
    team = team_in(phase)
    hold = tmp_path / "hold"
    hold.touch()
    with redis_server(tmp_path / "redis") as url, broker(url):
        drill = Drill("Redis wiped (FLUSHALL) with jobs queued", tmp_path, url)
        with drill.beat(), drill.worker(concurrency=1):
            ids = [drill.upload(client, phase, team.captain) for _ in range(5)]
            wait_running(ids, 1)
            time.sleep(0.5)  # the other four wait in Redis
            assert redis.Redis.from_url(url).llen("celery") >= 3
            redis.Redis.from_url(url).flushall()  # a Redis without persistence restarted: its queue is gone
            fault_at = time.time()
            hold.unlink()
            drill.report(ids, 5, fault_at)
    assert Submission.objects.filter(pk__in=ids, status=Status.SCORED).count() == 5


def test_drill_redis_down_during_uploads_and_leaderboard_reads(client, api, tmp_path, settings):
    settings.SCORING_EXTRA_SCORERS = []
    phase = open_phase()
    teams = [team_in(phase) for _ in range(3)]
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "hackplatform.cache.ForgivingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CACHE_RETRY_SECONDS = 1
    forgiving._down_until.clear()
    drill = Drill("Redis down during uploads and leaderboard reads", tmp_path, url)
    board = f"/api/v1/phases/{phase.pk}/leaderboard/"
    with broker(url), drill.beat(), drill.supervised_worker(concurrency=2):
        with redis_server(tmp_path / "redis", port):
            before = [drill.upload(client, phase, t.captain) for t in teams]
            drill.wait_until(before, FINAL, 40)
            assert api.get(board).status_code == 200  # cached in Redis now
        # Redis is down: uploads, leaderboard API and page, health.
        slowest = 0.0
        during = []
        for team in teams * 2:
            started = time.monotonic()
            during.append(drill.upload(client, phase, team.captain))
            slowest = max(slowest, time.monotonic() - started)
        assert None not in during
        response = api.get(board)
        assert response.status_code == 200 and response.json()["count"] == 3
        assert client.get(f"/phases/{phase.pk}/leaderboard/").status_code == 200
        health = client.get("/healthz/")
        assert health.status_code == 200
        assert health.json() == {"status": "degraded", "database": "ok", "broker": "down", "cache": "down"}
        with redis_server(tmp_path / "redis", port):
            fault_at = time.time()  # Redis is back: the jobs of the uploads made without it must now run
            figures = drill.report(before + during, 9, fault_at)
            time.sleep(1.1)
            assert client.get("/healthz/").json()["cache"] == "ok"
            cache.set("back", 1)
            assert cache.get("back") == 1
    forgiving._down_until.clear()
    figures["slowest_upload_while_down"] = round(slowest, 2)
    print(json.dumps(figures))
    assert slowest < 5


def test_drill_jobs_over_their_time_limit_end_failed_and_the_rest_are_scored(client, tmp_path, drill_kinds, settings):
    # The limits travel in the message (read here when it is sent); the worker reads them too.
    settings.SCORING_SOFT_TIME_LIMIT, settings.SCORING_HARD_TIME_LIMIT = 2, 4
    limits = {"SCORING_SOFT_TIME_LIMIT": "2", "SCORING_HARD_TIME_LIMIT": "4", "SCORING_MAX_ATTEMPTS": "2"}
    slow = open_phase(challenge=scored_challenge(kind="slow", truth="id\nx\n"))
    stubborn = open_phase(challenge=scored_challenge(kind="stubborn", truth="id\nx\n"))
    normal = open_phase()
    (tmp_path / "hold").touch()  # held for good: every slow job runs over its limit
    with redis_server(tmp_path / "redis") as url, broker(url):
        drill = Drill("jobs over their time limit", tmp_path, url, **limits)
        with drill.beat(), drill.worker(concurrency=2):
            started = time.time()
            over_soft = drill.upload(client, slow, team_in(slow).captain)
            over_hard = drill.upload(client, stubborn, team_in(stubborn).captain)
            fine = [drill.upload(client, normal, team_in(normal).captain) for _ in range(3)]
            drill.report([over_soft, over_hard, *fine], 5, started)
    rows = {s.pk: s for s in Submission.objects.all()}
    assert rows[over_soft].status == Status.FAILED and "took longer than 2 seconds" in rows[over_soft].error
    # Deaf to the soft limit: the hard limit kills its process each time, the lease lapses, and the attempt
    # cap ends it instead of looping.
    assert rows[over_hard].status == Status.FAILED and rows[over_hard].error_code == "gave_up"
    assert rows[over_hard].attempts == 2
    assert all(rows[pk].status == Status.SCORED for pk in fine)


def test_drill_worker_killed_with_jobs_prefetched_its_reserved_jobs_are_scored_within_a_minute(
    client, tmp_path, drill_kinds
):
    # A worker taking 4 messages per process: 1 running and 3 reserved (received, not started) when it dies.
    phase = open_phase(challenge=scored_challenge(kind="slow", truth="id\nx\n"))
    team = team_in(phase)
    hold = tmp_path / "hold"
    hold.touch()
    with redis_server(tmp_path / "redis") as url, broker(url):
        drill = Drill("worker SIGKILL with jobs prefetched", tmp_path, url, CELERY_WORKER_PREFETCH_MULTIPLIER="4")
        queue = redis.Redis.from_url(url)
        ids = [drill.upload(client, phase, team.captain) for _ in range(6)]
        with drill.beat():
            with drill.worker(concurrency=1) as first:
                running = wait_running(ids, 1)
                deadline = time.monotonic() + 20
                while queue.llen("celery") > 2 and time.monotonic() < deadline:
                    time.sleep(0.1)
                reserved = queue.hlen("unacked") - 1  # taken from the queue, not acknowledged, not running
                assert queue.llen("celery") == 2 and reserved == 3, (queue.llen("celery"), reserved)
                os.killpg(first.pid, signal.SIGKILL)
                first.wait(timeout=10)
            fault_at = time.time()
            hold.unlink()
            with drill.worker(concurrency=2):
                figures = drill.report(ids, 6, fault_at)
    rows = {s.pk: s for s in Submission.objects.filter(pk__in=ids)}
    assert all(rows[pk].status == Status.SCORED for pk in ids)
    assert rows[running[0]].attempts == 2  # the one that was running was claimed again after its lease lapsed
    assert sum(1 for pk in ids if rows[pk].attempts == 1) == 5  # the reserved ones never started before the kill
    assert figures["recovery_seconds"] < RECOVERY_BOUND


def test_drill_postgresql_restarted_during_scoring_the_worker_reconnects_and_nothing_is_lost_or_scored_twice(
    request, client, tmp_path, drill_kinds
):
    if rerun_on_postgresql(request):
        return
    phase = open_phase(challenge=scored_challenge(kind="slow", truth="id\nx\n"))
    team = team_in(phase)
    hold = tmp_path / "hold"
    hold.touch()
    with redis_server(tmp_path / "redis") as url, broker(url):
        drill = Drill("PostgreSQL restarted during scoring", tmp_path, url)
        with drill.beat(), drill.supervised_worker(concurrency=2):
            ids = [drill.upload(client, phase, team.captain) for _ in range(6)]
            wait_running(ids, 2)  # a batch being scored, four more waiting
            connections.close_all()
            postgres_restart(django_database_url(), down_seconds=3)  # every connection cut, 3 s down
            fault_at = time.time()
            connections.close_all()  # this process's connection died with the server too
            hold.unlink()
            figures = drill.report(ids, 6, fault_at)
    rows = {s.pk: s for s in Submission.objects.filter(pk__in=ids)}
    assert all(rows[pk].status == Status.SCORED for pk in ids)
    assert ScoreResult.objects.filter(submission__in=ids).count() == 6
    assert figures["recovery_seconds"] < RECOVERY_BOUND


@pytest.fixture(autouse=True)
def _no_stale_breaker():
    forgiving._down_until.clear()
    yield
    with contextlib.suppress(Exception):
        forgiving._down_until.clear()
