"""Scoring one submission: claim, score outside any transaction, store under (submission, truth version), notify."""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .. import rules
from ..models import LeaderboardEntry, ScoreResult, Submission
from ..texts import ERRORS
from .leaderboards import leaderboard_rebuild, leaderboard_update_for

logger = logging.getLogger(__name__)
Status = Submission.Status


def _float_or_none(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _open_source(storage, name: str):
    """A path when the storage has one (the scorer then reads it directly), else an open binary file."""
    try:
        return storage.path(name), None
    except NotImplementedError:
        handle = storage.open(name, "rb")
        return handle, handle


def _run_scorer(submission: Submission) -> dict:
    from submissions.scoring import score_file

    challenge = submission.phase.challenge
    truth, truth_handle = _open_source(challenge.truth_file.storage, challenge.truth_file.name)
    sub, sub_handle = _open_source(submission.file.storage, submission.file.name)
    try:
        return score_file(
            challenge.kind,
            truth,
            sub,
            params=rules.scorer_params(challenge),
            max_decompressed_bytes=settings.SCORING_MAX_DECOMPRESSED_BYTES,
        )
    finally:
        for handle in (truth_handle, sub_handle):
            if handle is not None:
                handle.close()


def submission_score(*, submission_id: int) -> str:
    """Score one submission. Safe to call any number of times, from any number of workers.

    1. claim: queued → running with a conditional update (attempts + 1); no row changed means another
       worker has it or it is finished: stop,
    2. score the file against the challenge's truth, outside any transaction (it may take minutes);
       a refused file, a job over the time limit and an unexpected error all end in a readable message,
    3. one transaction, only if the claim still holds (still running, same claim time: not cancelled or
       handed to another worker meanwhile): store the result under (submission, truth version), move
       the submission to scored or failed, rebuild the phase's leaderboard,
    4. after commit: email the person who uploaded it.
    Returns what happened, for the logs: "skipped", "scored", "failed" or "superseded".
    """
    from celery.exceptions import SoftTimeLimitExceeded

    from submissions.scoring import ScoringValidationError

    claimed_at = timezone.now()
    claimed = Submission.objects.filter(pk=submission_id, status=Status.QUEUED).update(
        status=Status.RUNNING, claimed_at=claimed_at, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return "skipped"
    submission = Submission.objects.select_related("phase__challenge__event").get(pk=submission_id)
    challenge = submission.phase.challenge
    truth_version = challenge.truth_version
    started = time.monotonic()
    result: dict | None = None
    error: tuple[str, dict] | None = None
    counts = True  # a failure that is the platform's fault never uses up a team's submission
    try:
        if not challenge.truth_file:
            counts = False
            error = ("no_truth", {})
        else:
            result = _run_scorer(submission)
    except ScoringValidationError as exc:
        if exc.line is not None:
            error = ("invalid_line", {"line": exc.line, "problem": exc.problem})
        else:
            error = ("invalid_file", {"problem": exc.problem})
    except SoftTimeLimitExceeded:
        error = ("time_limit", {"seconds": settings.SCORING_SOFT_TIME_LIMIT})
    except Exception:
        logger.exception("scoring submission %s failed unexpectedly", submission_id)
        counts = False
        error = ("internal", {})
    duration_ms = int((time.monotonic() - started) * 1000)
    return _finish(
        submission,
        claimed_at=claimed_at,
        result=result,
        error=error,
        counts=counts,
        truth_version=truth_version,
        duration_ms=duration_ms,
    )


def _finish(
    submission: Submission,
    *,
    claimed_at: datetime,
    result: dict | None,
    error: tuple[str, dict] | None,
    counts: bool,
    truth_version: int,
    duration_ms: int,
) -> str:
    now = timezone.now()
    with transaction.atomic():
        if result is not None:
            metric = rules.primary_metric(submission.phase.challenge)
            changes = {
                "status": Status.SCORED,
                "scores": result,
                "error_code": "",
                "error_params": {},
                "public_score": _float_or_none((result.get("public") or {}).get(metric)),
                "private_score": _float_or_none((result.get("private") or {}).get(metric)),
            }
        else:
            code, params = error
            changes = {
                "status": Status.FAILED,
                "error_code": ERRORS.check(code),
                "error_params": params,
                "public_score": None,
                "private_score": None,
            }
            if not counts:
                changes["counts_toward_limit"] = False
        updated = Submission.objects.filter(pk=submission.pk, status=Status.RUNNING, claimed_at=claimed_at).update(
            scored_at=now, **changes
        )
        if updated != 1:
            return "superseded"
        if result is not None:
            ScoreResult.objects.update_or_create(
                submission=submission,
                truth_version=truth_version,
                defaults={"scores": result, "computed_at": now, "duration_ms": duration_ms},
            )
        if result is not None:
            leaderboard_update_for(submission=submission)
        elif LeaderboardEntry.objects.filter(submission=submission).exists():
            leaderboard_rebuild(phase=submission.phase)
        if submission.scored_at is None:
            # The first outcome only: a phase-wide re-score after the truth changed must not email every team
            # once per submission (the pages show the new scores).
            transaction.on_commit(lambda: submission_notify(submission_id=submission.pk))
            status = changes["status"]
            transaction.on_commit(lambda: _announce_finished(submission.pk, status))
    return "scored" if result is not None else "failed"


def _announce_finished(submission_id: int, status: str) -> None:
    """Tell the apps above (communication's notifications) through submissions.hooks; never fail scoring."""
    from ..hooks import submission_finished

    for _receiver, result in submission_finished.send_robust(
        sender=Submission, submission_id=submission_id, status=status
    ):
        if isinstance(result, Exception):
            logger.warning("a receiver of submission_finished failed for %s", submission_id, exc_info=result)


def submission_notify(*, submission_id: int) -> None:
    """Email the uploader that their submission was scored or failed (console backend by default)."""
    submission = Submission.objects.select_related("submitted_by", "phase__challenge__event", "team").get(
        pk=submission_id
    )
    user = submission.submitted_by
    # Only to a verified address (accounts.User.can_receive_email): never mail a stranger's inbox.
    if user is None or not user.can_receive_email or submission.status not in (Status.SCORED, Status.FAILED):
        return
    context = {
        "submission": submission,
        "user": user,
        "phase": submission.phase,
        "challenge": submission.phase.challenge,
        "url": settings.SITE_URL.rstrip("/") + submission.get_absolute_url(),
        "primary_metric": rules.primary_metric(submission.phase.challenge),
    }
    with translation.override(user.preferred_language):
        subject = render_to_string(f"submissions/email/{submission.status}_subject.txt", context).strip()
        body = render_to_string(f"submissions/email/{submission.status}_body.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:  # a mail server outage must not fail the scoring job
        logger.warning("could not email %s about submission %s", user.email, submission_id, exc_info=True)
