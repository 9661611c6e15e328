"""The whole suite again, against a real PostgreSQL and a real Redis started on loopback.

The outer run (SQLite, embedded broker) starts both servers and runs pytest once more in a
subprocess with DATABASE_URL and REDIS_URL pointing at them. The inner run deselects this module.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.services import ROOT, postgres_server, redis_server

INNER = "HACKPLATFORM_INNER_SUITE"

pytestmark = pytest.mark.services


def test_the_whole_suite_passes_on_postgresql_and_redis(tmp_path):
    with postgres_server() as database_url, redis_server(tmp_path / "redis") as redis_url:
        env = {
            **os.environ,
            INNER: "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": "",
        }
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--create-db",
                "-x",
                "--deselect",
                "tests/test_on_postgresql_and_redis.py",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
    print(tail)
    assert result.returncode == 0, tail
    assert " passed" in tail and " failed" not in tail
