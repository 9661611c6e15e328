"""The Celery application (cookiecutter-django's shape: settings namespace CELERY, autodiscovery)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackplatform.settings")

app = Celery("hackplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="hackplatform.ping")
def ping(value: str = "pong") -> str:
    """A trivial task: the foundation tests send it through a real worker."""
    return value
