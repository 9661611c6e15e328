from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.services import ROOT

STRONG_KEY = "x7Fq2LmN9pRsT4vW8yZaB3cD6eGhJkMnPqRsTuVwXyZ1234567890abcdef"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_loads_laptop_settings_without_any_environment():
    result = run_manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_weak_secret_key_when_debug_is_off():
    result = run_manage("check", DEBUG="0", SECRET_KEY="short")
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_it_refuses_the_example_secret_key_from_env_example_when_debug_is_off():
    example = next(
        line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.startswith("SECRET_KEY=")
    )
    assert len(example) >= 50  # long enough to pass a length-only check: the point of this test
    result = run_manage("check", DEBUG="0", SECRET_KEY=example, ALLOWED_HOSTS="hack.example.org")
    assert result.returncode != 0
    assert "published in the repository" in result.stderr


def test_it_refuses_the_dev_default_key_when_debug_is_off():
    result = run_manage(
        "check", DEBUG="0", SECRET_KEY="dev-only-insecure-key-do-not-use-in-production", ALLOWED_HOSTS="h.example"
    )
    assert result.returncode != 0
    assert "published in the repository" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="hack.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_redis_url_switches_broker_and_cache():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='hackplatform.settings'; django.setup();"
        "from django.conf import settings as s; print(s.CELERY_BROKER_URL); print(s.CACHES['default']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL",)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "REDIS_URL": "redis://127.0.0.1:6390/1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["redis://127.0.0.1:6390/1", "hackplatform.cache.ForgivingRedisCache"]
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={k: v for k, v in env.items() if k != "REDIS_URL"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["filesystem://", "django.core.cache.backends.locmem.LocMemCache"]


def test_migrations_are_committed():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_settings_creates_no_folder(tmp_path):
    var = tmp_path / "var"
    code = "import hackplatform.settings as s; print(s.VAR_DIR)"
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, "VAR_DIR": str(var)}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert not var.exists()


def test_django_creates_the_local_folders_when_it_starts(tmp_path):
    var = tmp_path / "var"
    result = run_manage("check", VAR_DIR=str(var), CELERY_BROKER_URL="")
    assert result.returncode == 0, result.stderr
    assert (var / "broker" / "queue").is_dir() and (var / "static").is_dir()


def test_every_setting_the_code_reads_is_declared():
    import re

    from django.conf import settings

    names = set()
    for folder in ("accounts", "challenges", "submissions", "hackplatform"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"\bsettings\.([A-Z][A-Z0-9_]+)", path.read_text()))
    missing = sorted(n for n in names if not hasattr(settings, n))
    assert missing == []


def test_storage_s3_bucket_puts_every_file_in_the_bucket_with_signed_urls_only():
    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE']='hackplatform.settings'; django.setup();"
        "from django.core.files.storage import storages; from hackplatform.storage import private_storage;"
        "p = private_storage(); d = storages['default'];"
        "print(json.dumps([type(d).__name__, d.location, p.location, d.bucket_name, p.bucket_name,"
        " d.endpoint_url, d.querystring_auth, p.querystring_auth, d.file_overwrite, p.file_overwrite,"
        " p.url('truth/x.csv').split('?')[1].count('Signature')]))"
    )
    env = {
        **os.environ,
        "STORAGE_S3_BUCKET": "hackplatform-files",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "k",
        "AWS_SECRET_ACCESS_KEY": "s",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [
        "S3Storage",
        "media",
        "private",  # the private files under a prefix of their own, never served by the proxy
        "hackplatform-files",
        "hackplatform-files",
        "http://127.0.0.1:9",
        True,
        True,  # every URL handed out is signed and expires: the bucket itself stays private
        False,
        False,  # a second upload of the same name never replaces the first
        1,
    ]
