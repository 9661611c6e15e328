"""Redis is optional for reads: with the cache down, leaderboards answer 200 from the database, uploads
are accepted (the throttles fail open), and /healthz/ names what is down while answering 200.

"Down" is real here: the cache points at a loopback port where nothing listens (connection refused),
or at a real redis-server that the test stops and starts again.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from django.core.cache import cache

from hackplatform import cache as forgiving
from submissions.models import Submission
from submissions.services import leaderboard_rebuild
from tests.services import ROOT, free_port, redis_server
from tests.submissions.factories import open_phase, scored, team_in, upload
from tests.submissions.test_real_worker import broker

pytestmark = pytest.mark.django_db


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "hackplatform.cache.ForgivingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def redis_down(settings):
    """The cache is Redis at an address where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = redis_cache(url)
    forgiving._down_until.clear()
    yield url
    forgiving._down_until.clear()


def test_the_leaderboard_api_and_page_answer_200_from_the_database_when_redis_is_down(client, api, redis_down):
    phase = open_phase()
    scored(phase, team_in(phase, name="Alpha"), 0.9)
    leaderboard_rebuild(phase=phase)
    for _ in range(2):  # the first call finds Redis down, the second skips it
        response = api.get(f"/api/v1/phases/{phase.pk}/leaderboard/")
        assert response.status_code == 200
        assert [row["team"]["name"] for row in response.json()["results"]] == ["Alpha"]
    page = client.get(f"/phases/{phase.pk}/leaderboard/")
    assert page.status_code == 200 and "Alpha" in page.content.decode()


def test_a_cache_outage_is_logged_once_and_reads_as_a_miss(redis_down, caplog):
    started = time.monotonic()
    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1) is None and cache.add("k", 1) is False and cache.get_many(["k"]) == {}
    assert cache.delete("k") is False and cache.has_key("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")  # a counter that cannot be read is a missing key (Django's contract)
    assert time.monotonic() - started < 2  # one refused connection, then Redis is left alone
    warnings = [r for r in caplog.records if r.name == "hackplatform.cache"]
    assert len(warnings) == 1 and "cache unavailable" in warnings[0].getMessage()


def test_uploads_are_accepted_when_redis_is_down_because_the_throttles_fail_open(api, redis_down, throttle_rates):
    throttle_rates(upload="1/min")  # with a working cache the second upload would be refused (429)
    phase = open_phase()
    team = team_in(phase)
    api.force_authenticate(team.captain)
    with broker(redis_down):  # the broker is the same dead Redis: the jobs wait for the sweeper
        for _ in range(2):
            response = api.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()}, format="multipart")
            assert response.status_code == 201, response.content
    assert Submission.objects.filter(team=team, status=Submission.Status.QUEUED).count() == 2


def test_healthz_answers_200_and_names_the_broker_and_the_cache_down(client, redis_down):
    with broker(redis_down):
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down", "cache": "down"}


def test_healthz_reports_each_part_ok_when_all_answer(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}


@pytest.mark.services
def test_the_cache_is_used_again_once_redis_is_back(settings, tmp_path):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES, settings.CACHE_RETRY_SECONDS = redis_cache(url), 1
    forgiving._down_until.clear()
    cache.set("k", "v")  # down: dropped
    with redis_server(tmp_path / "redis", port):
        assert cache.get("k") is None
        time.sleep(1.1)  # the retry interval passes
        cache.set("k", "v")
        assert cache.get("k") == "v"
    forgiving._down_until.clear()


def test_the_healthcheck_command_fails_only_when_the_database_is_down():
    dead = f"postgres://postgres@127.0.0.1:{free_port()}/nothing"
    env = {"DATABASE_URL": dead, "REDIS_URL": "", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "healthcheck"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert '"database": "down"' in result.stdout

    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    env = {"REDIS_URL": dead_redis, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "healthcheck"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert '"broker": "down"' in result.stdout and '"cache": "down"' in result.stdout
    required = subprocess.run(
        [sys.executable, "manage.py", "healthcheck", "--require", "broker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert required.returncode == 1


def test_the_compose_health_checks_use_the_health_report_and_the_web_does_not_wait_for_redis():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "/healthz/" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("worker", "beat"):
        assert "manage.py healthcheck" in " ".join(services[name]["healthcheck"]["test"]), name
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_started"
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.services
def test_one_redis_client_serves_every_operation_and_thread(settings, tmp_path):
    """Django builds a redis.Redis per operation; ours keeps one per pool, shared by threads."""
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import caches

    with redis_server(tmp_path / "redis") as url:
        settings.CACHES = redis_cache(url)
        forgiving._down_until.clear()
        backend = caches["default"]
        first = backend._cache.get_client(write=True)
        assert backend._cache.get_client(write=False) is first

        def work(i: int) -> int:
            backend.set(f"k{i}", i)
            backend.incr(f"k{i}", 10)
            return backend.get(f"k{i}")

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(work, range(40))) == [i + 10 for i in range(40)]
        assert backend._cache.get_client(write=True) is first
