"""Scale-out: scoring workers on machines of their own, sharing only PostgreSQL, Redis and an S3 bucket.

Each worker runs from an empty folder of its own (its working folder, TMPDIR, MEDIA_ROOT, PRIVATE_ROOT and
VAR_DIR all there, none shared with the site or the other worker): the truth files and the uploads reach
it only through the storage API (django-storages' S3Storage against moto's S3 server on loopback).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from pathlib import Path

import boto3
import pytest
from django.db import connection

from submissions.models import ScoreResult, Submission
from submissions.scoring import registry
from tests.services import celery_worker, django_database_url, free_port, redis_server, rerun_on_postgresql

from .factories import open_phase, scored_challenge, team_in
from .test_drills import OUTCOME, Drill, wait_running
from .test_real_worker import SLOW, broker

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
BUCKET = "hackplatform-files"
KEYS = {
    "AWS_ACCESS_KEY_ID": "scale-out-test",
    "AWS_SECRET_ACCESS_KEY": "scale-out-test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def s3_storages(endpoint: str) -> dict:
    """The STORAGES that settings.py builds from STORAGE_S3_BUCKET and AWS_S3_ENDPOINT_URL."""
    options = {"bucket_name": BUCKET, "endpoint_url": endpoint, "file_overwrite": False, "querystring_auth": True}
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "media"}},
        "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "private"}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_two_workers_on_machines_of_their_own_score_every_upload_once_from_s3_with_nothing_on_local_disk(
    request, client, tmp_path, settings, monkeypatch
):
    if rerun_on_postgresql(request):
        return
    assert connection.vendor == "postgresql"
    from moto.server import ThreadedMotoServer

    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    s3_port = free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    endpoint = f"http://127.0.0.1:{s3_port}"
    try:
        bucket = boto3.client("s3", endpoint_url=endpoint)
        bucket.create_bucket(Bucket=BUCKET)
        # The site (this process) on S3 too.
        settings.STORAGES = s3_storages(endpoint)
        settings.SCORING_EXTRA_SCORERS = [SLOW]
        registry.clear_cache()
        phase = open_phase(challenge=scored_challenge(kind="slow", truth="id\nx\n"))
        teams = [team_in(phase) for _ in range(4)]
        hold = tmp_path / "hold"
        hold.touch()
        machines = [tmp_path / "machine-a", tmp_path / "machine-b"]
        with redis_server(tmp_path / "redis") as url, broker(url):
            drill = Drill("scale-out: two workers, S3 files, no shared disk", tmp_path, url)
            with contextlib.ExitStack() as stack:
                for index, machine in enumerate(machines):
                    (machine / "tmp").mkdir(parents=True)
                    env = {
                        "DATABASE_URL": django_database_url(),
                        "REDIS_URL": url,
                        "CELERY_BROKER_URL": "",
                        "CELERY_TASK_ALWAYS_EAGER": "0",
                        "SCORING_EXTRA_SCORERS": SLOW,
                        "HACKPLATFORM_TEST_HOLD": str(hold),
                        "STORAGE_S3_BUCKET": BUCKET,
                        "AWS_S3_ENDPOINT_URL": endpoint,
                        **KEYS,
                        # Nothing shared with the site or the other worker: every local folder is its own.
                        "TMPDIR": str(machine / "tmp"),
                        "VAR_DIR": str(machine / "var"),
                        "MEDIA_ROOT": str(machine / "media"),
                        "PRIVATE_ROOT": str(machine / "private"),
                        "STATIC_ROOT": str(machine / "static"),
                    }
                    log = drill.log(f"worker-{'ab'[index]}")
                    stack.enter_context(celery_worker(env, concurrency=1, log=log, cwd=machine, name=f"machine{index}"))
                wait_ready(drill.logs)
                ids = [drill.upload(client, phase, team.captain) for team in teams for _ in range(5)]
                started = time.time()
                wait_running(ids, 2)  # one job held on each machine: both take work
                hold.unlink()
                figures = drill.report(ids, 20, started)
        rows = list(Submission.objects.filter(pk__in=ids))
        assert all(r.status == Status.SCORED for r in rows), [(r.pk, r.status, r.error_code) for r in rows]
        assert all(r.attempts == 1 for r in rows), [(r.pk, r.attempts) for r in rows]
        assert ScoreResult.objects.filter(submission__in=ids).count() == 20
        per_worker = {
            log.name: Counter(int(m.group(1)) for m in OUTCOME.finditer(log.read_text())) for log in drill.logs
        }
        assert all(len(counts) > 0 for counts in per_worker.values()), per_worker  # both machines scored
        assert sum(len(counts) for counts in per_worker.values()) == 20  # and no submission on both
        stored = {o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
        assert {f"private/{r.file.name}" for r in rows} <= stored
        assert f"private/{phase.challenge.truth_file.name}" in stored
        for machine in machines:
            assert files_under(machine) == [], machine  # no file written on a worker's disk
        assert files_under(Path(settings.MEDIA_ROOT)) == files_under(Path(settings.PRIVATE_ROOT)) == []
        figures["per_worker"] = {name: len(counts) for name, counts in per_worker.items()}
        print(json.dumps(figures))
    finally:
        registry.clear_cache()
        s3.stop()


def wait_ready(logs: list[Path], timeout: float = 60) -> None:
    """Until every worker's log says it is ready to take jobs."""
    deadline = time.monotonic() + timeout
    while not all(p.exists() and " ready." in p.read_text(errors="replace") for p in logs):
        if time.monotonic() > deadline:
            raise AssertionError("\n".join(p.read_text()[-2000:] for p in logs if p.exists()))
        time.sleep(0.2)
