from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from hackplatform.celery import app as celery_app


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploads and private files go to a temporary folder for each test (cookiecutter-django's habit)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_ROOT = str(tmp_path / "private")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-url/"},
        },
    }


@pytest.fixture(autouse=True)
def _celery_inline():
    """Tasks run inline unless a test starts a real worker (see tests/services.py)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Password hashing is deliberately slow; no test here is about the hasher's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached pages and counters (leaderboards, throttles) and the workers' prepared truths never leak from
    one test into another (ids and file names repeat between tests whose transactions were rolled back)."""
    from submissions.services.scoring import truth_cache

    cache.clear()
    truth_cache.clear()
    yield
    cache.clear()
    truth_cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def throttle_rates(monkeypatch):
    """Set API throttle rates for one test: DRF copies the rates onto the class at import, so
    overriding settings.REST_FRAMEWORK alone would not reach the throttles."""
    from rest_framework.throttling import SimpleRateThrottle

    def apply(**rates: str) -> None:
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates})

    return apply


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: LocaleMiddleware leaves the language of the last
    request active in the thread, so a Spanish page in one test would otherwise translate the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
