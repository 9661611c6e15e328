"""Recovering lost or stuck scoring jobs (beat runs the sweep every SCORING_SWEEP_SECONDS)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Submission
from .scoring import send_finished_notices
from .uploads import send_scoring_job

logger = logging.getLogger(__name__)
Status = Submission.Status


def max_attempts() -> int:
    """How many times a submission may be claimed before it ends failed (poison files stop looping)."""
    return settings.SCORING_MAX_ATTEMPTS


def queued_stale_after() -> timedelta:
    """A queued submission whose job was sent this long ago without being claimed is sent again, even
    while the broker's queue still holds messages (it is not waiting its turn any more)."""
    return timedelta(seconds=settings.SCORING_QUEUED_STALE_SECONDS)


def queued_lost_after() -> timedelta:
    """A queued submission sent this long ago and not claimed while the broker's queue is empty: lost."""
    return timedelta(seconds=settings.SCORING_QUEUED_LOST_SECONDS)


def running_stale_after() -> timedelta:
    """A backstop: a running submission claimed this long ago has lost its worker whatever its lease says
    (the hard time limit would have ended it)."""
    return timedelta(seconds=settings.SCORING_HARD_TIME_LIMIT + settings.SCORING_STALE_MARGIN)


def waiting_in_broker() -> int | None:
    """How many scoring messages wait in the broker's queue (0 when the queue does not exist, as after
    a wipe); None when the broker cannot say (unreachable): then only the long bound applies."""
    from kombu.exceptions import ChannelError

    from hackplatform.celery import app

    if app.conf.task_always_eager:
        return 0  # jobs run inline: nothing ever waits
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
            try:
                return conn.default_channel.queue_declare(queue=app.conf.task_default_queue, passive=True).message_count
            except ChannelError:
                return 0
    except Exception:
        logger.warning("could not read the length of the broker's queue", exc_info=True)
        return None


def submissions_sweep(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Make sure every submission is scored once, even when a broker or a worker loses its job.

    1. queued submissions whose job could not be sent (broker down), or was sent longer ago than
       `queued_lost_after()` while the broker's queue is empty (the broker lost it: a wiped Redis), or
       longer ago than `queued_stale_after()` whatever the queue holds: send again (a duplicate
       message is harmless, the claim is exclusive; the queue check keeps a deadline backlog from
       being sent twice),
    2. running submissions whose lease lapsed (their worker died or hangs: the heartbeat stopped), or
       claimed longer ago than the hard time limit plus a margin: back to queued and send again, unless
       they were already claimed `max_attempts()` times: then failed with the reason, so a file that
       kills its worker ends instead of looping,
    3. each change is a conditional update on what was read (the lease token, the lapsed lease), so two
       sweepers, a heartbeat renewing just now or a worker finishing just now never clash.
    """
    now = now or timezone.now()
    counts = {"resent": 0, "requeued": 0, "gave_up": 0}
    stale = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - queued_stale_after())
    overdue = Submission.objects.filter(status=Status.QUEUED, enqueued_at__lt=now - queued_lost_after())
    if overdue.exists() and waiting_in_broker() == 0:  # the broker is asked only when something is overdue
        stale |= Q(enqueued_at__lt=now - queued_lost_after())
    lost = Submission.objects.filter(stale, status=Status.QUEUED).values_list("pk", "enqueued_at")[:batch]
    for pk, enqueued_at in lost:
        if Submission.objects.filter(pk=pk, status=Status.QUEUED, enqueued_at=enqueued_at).update(enqueued_at=now):
            counts["resent"] += 1
            transaction.on_commit(lambda pk=pk: send_scoring_job(pk))
    lapsed = Q(lease_expires_at__lt=now) | Q(claimed_at__lt=now - running_stale_after())
    stuck = Submission.objects.filter(lapsed, status=Status.RUNNING).values_list(
        "pk", "claimed_at", "lease_token", "attempts"
    )[:batch]
    for pk, claimed_at, token, attempts in stuck:
        still = Submission.objects.filter(lapsed, pk=pk, status=Status.RUNNING, lease_token=token)
        if attempts >= max_attempts():
            if still.update(
                status=Status.FAILED,
                error_code="gave_up",
                error_params={"n": attempts},
                counts_toward_limit=False,
                scored_at=now,
                lease_token="",
                lease_expires_at=None,
            ):
                counts["gave_up"] += 1
                logger.error("submission %s failed after %s attempts", pk, attempts)
                transaction.on_commit(lambda pk=pk: send_finished_notices(pk))
        elif still.update(
            status=Status.QUEUED, claimed_at=None, lease_token="", lease_expires_at=None, enqueued_at=now
        ):
            counts["requeued"] += 1
            logger.warning(
                "submission %s was running since %s and its lease lapsed: its worker is gone; sent again",
                pk,
                claimed_at,
            )
            transaction.on_commit(lambda pk=pk: send_scoring_job(pk))
    return counts
