"""The Celery app runs a task through a real worker process: embedded broker, and Redis."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hackplatform.celery import app as celery_app
from tests.services import ROOT, celery_worker, redis_server

pytestmark = pytest.mark.services

SEND = (
    "from hackplatform.celery import app; import django; django.setup();"
    "print(app.send_task('hackplatform.ping', args=['hello'], ignore_result=False).get(timeout=60))"
)


def test_the_app_has_reliable_defaults():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_soft_time_limit < conf.task_time_limit


def _ping_through_worker(env: dict[str, str], tmp_path) -> str:
    """A client process sends the task; a separate worker process runs it."""
    with celery_worker(env, log=tmp_path / "worker.log") as proc:
        sent = subprocess.run(
            [sys.executable, "-c", SEND],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert proc.poll() is None, (tmp_path / "worker.log").read_text()
    assert sent.returncode == 0, sent.stderr + (tmp_path / "worker.log").read_text()
    return sent.stdout.strip()


def test_a_real_worker_runs_a_task_through_the_embedded_broker(tmp_path):
    env = {"CELERY_BROKER_URL": "", "REDIS_URL": "", "BROKER_DIR": str(tmp_path / "broker")}
    assert _ping_through_worker(env, tmp_path) == "hello"
    assert (tmp_path / "broker" / "queue").is_dir()


def test_a_real_worker_runs_a_task_through_redis(tmp_path):
    with redis_server(tmp_path / "redis") as url:
        assert _ping_through_worker({"REDIS_URL": url, "CELERY_BROKER_URL": ""}, tmp_path) == "hello"
