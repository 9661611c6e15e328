"""Recovering lost or stuck scoring jobs (beat runs the sweep every minute)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Submission
from .scoring import submission_notify
from .uploads import send_scoring_job

logger = logging.getLogger(__name__)
Status = Submission.Status


def max_attempts() -> int:
    """How many times a submission may be claimed before it ends failed (poison files stop looping)."""
    return settings.SCORING_MAX_ATTEMPTS


def queued_stale_after() -> timedelta:
    """A queued submission whose job was sent this long ago without being claimed is sent again."""
    return timedelta(seconds=settings.SCORING_QUEUED_STALE_SECONDS)


def running_stale_after() -> timedelta:
    """A running submission claimed this long ago has lost its worker (the hard limit would have ended it)."""
    return timedelta(seconds=settings.SCORING_HARD_TIME_LIMIT + settings.SCORING_STALE_MARGIN)


def submissions_sweep(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Make sure every submission is scored once, even when a broker or a worker loses its job.

    1. queued submissions whose job could not be sent (broker down) or was sent longer ago than the
       bound without a worker claiming it (the broker lost its queue): send again,
    2. running submissions claimed longer ago than the hard time limit plus a margin (their worker died):
       back to queued and send again, unless they were already claimed `max_attempts()` times: then
       failed with the reason, so a file that kills its worker ends instead of looping,
    3. each change is a conditional update, so two sweepers (or a worker finishing just now) never clash.
    """
    now = now or timezone.now()
    counts = {"resent": 0, "requeued": 0, "gave_up": 0}
    lost = Submission.objects.filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - queued_stale_after()), status=Status.QUEUED
    ).values_list("pk", "enqueued_at")[:batch]
    for pk, enqueued_at in lost:
        if Submission.objects.filter(pk=pk, status=Status.QUEUED, enqueued_at=enqueued_at).update(enqueued_at=now):
            counts["resent"] += 1
            transaction.on_commit(lambda pk=pk: send_scoring_job(pk))
    stuck = Submission.objects.filter(status=Status.RUNNING, claimed_at__lt=now - running_stale_after()).values_list(
        "pk", "claimed_at", "attempts"
    )[:batch]
    for pk, claimed_at, attempts in stuck:
        still = Submission.objects.filter(pk=pk, status=Status.RUNNING, claimed_at=claimed_at)
        if attempts >= max_attempts():
            if still.update(
                status=Status.FAILED,
                error_code="gave_up",
                error_params={"n": attempts},
                counts_toward_limit=False,
                scored_at=now,
            ):
                counts["gave_up"] += 1
                logger.error("submission %s failed after %s attempts", pk, attempts)
                transaction.on_commit(lambda pk=pk: submission_notify(submission_id=pk))
        elif still.update(status=Status.QUEUED, claimed_at=None, enqueued_at=now):
            counts["requeued"] += 1
            logger.warning("submission %s was running since %s: its worker is gone; sent again", pk, claimed_at)
            transaction.on_commit(lambda pk=pk: send_scoring_job(pk))
    return counts
