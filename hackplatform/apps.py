from __future__ import annotations

import contextlib
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class HackplatformConfig(AppConfig):
    """The project itself as an app: creates the local folders its settings name, once Django starts.

    Settings only read the environment; creating folders there would run on every import (a linter, a
    `manage.py check` in a read-only container). Here it runs in every process that uses them (web,
    worker, beat, tests) before the first database connection.
    """

    name = "hackplatform"
    verbose_name = "hackplatform"

    def ready(self) -> None:
        ensure_local_folders()
        check_length_before_trimming()


def check_length_before_trimming() -> None:
    """DRF's CharField trims spaces and then checks `max_length`, so 201 characters with a leading space
    pass a field the schema says holds 200. The API promises the schema's `maxLength` for the text sent:
    every CharField (all apps' serializers) checks the length as sent, then trims as before."""
    from rest_framework import serializers

    original = serializers.CharField.to_internal_value
    if getattr(original, "checks_sent_length", False):
        return

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, str) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return original(self, data)

    to_internal_value.checks_sent_length = True
    serializers.CharField.to_internal_value = to_internal_value


def ensure_local_folders() -> None:
    folders: list[Path] = []
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        for name in (database["NAME"], database.get("TEST", {}).get("NAME")):
            if name and str(name) != ":memory:" and not str(name).startswith("file:"):
                folders.append(Path(name).parent)
    # whitenoise warns on every start when STATIC_ROOT is missing (before the first collectstatic).
    folders.append(Path(settings.STATIC_ROOT))
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [Path(options[key]) for key in ("data_folder_in", "processed_folder", "control_folder")]
        result = settings.CELERY_RESULT_BACKEND
        if result.startswith("file://"):
            folders.append(Path(result.removeprefix("file://")))
    for folder in folders:
        with contextlib.suppress(OSError):  # a read-only deployment keeps its files elsewhere
            folder.mkdir(parents=True, exist_ok=True)
