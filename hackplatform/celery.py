"""The Celery application (cookiecutter-django's shape: settings namespace CELERY, autodiscovery)."""

import os

from celery import Celery
from celery.signals import task_postrun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackplatform.settings")

app = Celery("hackplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Celery's Django fix-up closes every database connection after every task unless this is set: each scoring
# job then opened a new PostgreSQL connection (a server process started per job), half of a worker's time
# at a deadline. Connections are kept instead and closed when Django would close them (below): past
# DB_CONN_MAX_AGE, or unusable after an error (a restarted server). The fix-up still recycles them every
# 2 x CELERY_DB_REUSE_MAX tasks.
app.conf.CELERY_DB_REUSE_MAX = 500


@task_postrun.connect
def _close_old_connections(task=None, **_kwargs) -> None:
    """After each task, what Django does after each request: close connections that are too old or broken.

    Not after a task run inline (eagerly, inside a request or a test's transaction): closing there would
    break the caller's transaction, and Celery's own fix-up skips those too."""
    from django.db import close_old_connections

    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()


@worker_process_init.connect
def _yield_the_cpu_to_the_web(**_kwargs) -> None:
    """Each worker process lowers its CPU priority by SCORING_WORKER_NICENESS (default 10).

    On a machine that serves the site too, accepting an upload before the deadline matters more than
    scoring it a few seconds sooner: when both want the CPU, the web gets it first; when the web is idle
    the workers get every core anyway. (Lowering one's own priority needs no privilege.)
    """
    from django.conf import settings

    niceness = getattr(settings, "SCORING_WORKER_NICENESS", 0)
    if niceness > 0:
        os.nice(niceness)


@app.task(name="hackplatform.ping")
def ping(value: str = "pong") -> str:
    """A trivial task: the foundation tests send it through a real worker."""
    return value
