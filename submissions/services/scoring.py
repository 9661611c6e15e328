"""Scoring one submission: claim, score outside any transaction, store under (submission, truth version), notify."""

from __future__ import annotations

import contextlib
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from .. import rules
from ..models import LeaderboardEntry, ScoreResult, Submission
from ..texts import ERRORS, metric_label
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


class _TruthCache:
    """The prepared truths of the last few challenges this worker process scored (an LRU, per process).

    Reading and indexing the truth is most of a job's time for a typical file; at a deadline every job of
    a phase reads the same truth. The key holds the challenge, its truth version and file name, the
    scorer parameters and the kind, so a replaced truth or changed parameters are never answered from
    the cache. The truth stays in the memory of the worker that scores with it, as before.
    """

    def __init__(self) -> None:
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, challenge) -> object:
        from submissions.scoring import prepare_truth

        params = rules.scorer_params(challenge)
        key = (challenge.pk, challenge.truth_version, challenge.truth_file.name, challenge.kind, repr(params))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        truth, handle = _open_source(challenge.truth_file.storage, challenge.truth_file.name)
        try:
            prepared = prepare_truth(
                challenge.kind, truth, params, max_decompressed_bytes=settings.SCORING_MAX_DECOMPRESSED_BYTES
            )
        finally:
            if handle is not None:
                handle.close()
        size = settings.SCORING_TRUTH_CACHE_SIZE
        with self._lock:
            if size > 0:
                self._items[key] = prepared
                self._items.move_to_end(key)
                while len(self._items) > size:
                    self._items.popitem(last=False)
        return prepared

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


truth_cache = _TruthCache()


def _run_scorer(submission: Submission) -> dict:
    from submissions.scoring import score_prepared

    truth = truth_cache.get(submission.phase.challenge)
    sub, sub_handle = _open_source(submission.file.storage, submission.file.name)
    try:
        return score_prepared(truth, sub, max_decompressed_bytes=settings.SCORING_MAX_DECOMPRESSED_BYTES)
    finally:
        if sub_handle is not None:
            sub_handle.close()


def lease_length() -> timedelta:
    """How long a claim holds without a heartbeat: past it, the sweeper takes the job back."""
    return timedelta(seconds=settings.SCORING_LEASE_SECONDS)


def lease_renew(*, submission_id: int, token: str) -> bool:
    """Push the lease of a running job forward; False when the claim is no longer this worker's."""
    return bool(
        Submission.objects.filter(pk=submission_id, status=Status.RUNNING, lease_token=token).update(
            lease_expires_at=timezone.now() + lease_length()
        )
    )


@contextlib.contextmanager
def lease_heartbeat(*, submission_id: int, token: str) -> Iterator[threading.Event]:
    """Renew the lease every SCORING_HEARTBEAT_SECONDS from a thread while the scorer runs.

    The thread has its own database connection (Django's are per thread) and closes it when done. If
    the claim was taken back (the sweeper saw the lease lapse, an organizer cancelled), it stops beating
    and sets the yielded event; the final write then refuses on the token anyway. A database error is
    logged and retried at the next beat: a short outage must not end the job.
    """
    stop, lost = threading.Event(), threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.SCORING_HEARTBEAT_SECONDS):
                try:
                    if not lease_renew(submission_id=submission_id, token=token):
                        lost.set()
                        logger.warning("submission %s: the claim was taken back; stopping its heartbeat", submission_id)
                        return
                except Exception:
                    logger.warning("submission %s: could not renew the lease", submission_id, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"lease-{submission_id}", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join(timeout=settings.SCORING_HEARTBEAT_SECONDS + 5)


def submission_score(*, submission_id: int) -> str:
    """Score one submission. Safe to call any number of times, from any number of workers.

    1. claim: queued → running with a conditional update (attempts + 1, a fresh random lease token, a
       lease of SCORING_LEASE_SECONDS); no row changed means another worker has it or it is finished: stop,
    2. score the file against the challenge's truth, outside any transaction (it may take minutes),
       while a heartbeat thread renews the lease; a refused file, a job over the time limit and an
       unexpected error all end in a readable message,
    3. one transaction, only if the claim still holds (still running, same lease token: not cancelled
       or handed to another worker after its lease lapsed): store the result under (submission, truth
       version), move the submission to scored or failed, rebuild the phase's leaderboard,
    4. after commit: email the person who uploaded it.
    Returns what happened, for the logs: "skipped", "scored", "failed" or "superseded".
    """
    from celery.exceptions import SoftTimeLimitExceeded

    from submissions.scoring import ScoringValidationError

    claimed_at = timezone.now()
    token = secrets.token_hex(16)
    claimed = Submission.objects.filter(pk=submission_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        claimed_at=claimed_at,
        lease_token=token,
        lease_expires_at=claimed_at + lease_length(),
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        logger.info("submission %s: skipped (not queued)", submission_id)
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
            with lease_heartbeat(submission_id=submission_id, token=token):
                result = _run_scorer(submission)
    except ScoringValidationError as exc:
        # The English sentence is kept for a code a newer scorer adds before the platform translates it.
        detail = {"problem": exc.problem, "problem_code": exc.code, "problem_params": exc.params}
        if exc.line is not None:
            error = ("invalid_line", {"line": exc.line, **detail})
        else:
            error = ("invalid_file", detail)
    except SoftTimeLimitExceeded:
        error = ("time_limit", {"seconds": settings.SCORING_SOFT_TIME_LIMIT})
    except Exception:
        logger.exception("scoring submission %s failed unexpectedly", submission_id)
        counts = False
        error = ("internal", {})
    duration_ms = int((time.monotonic() - started) * 1000)
    outcome = _finish_retrying(
        submission,
        token=token,
        result=result,
        error=error,
        counts=counts,
        truth_version=truth_version,
        duration_ms=duration_ms,
    )
    # One line per attempt with its outcome: the fault drills count "scored" lines per submission.
    logger.info("submission %s: %s (attempt %s)", submission_id, outcome, submission.attempts)
    return outcome


FINISH_RETRY_PAUSES = (1, 2, 4, 5, 5)  # seconds: about 17 s in all, within a lease that the heartbeat renews


def _finish_retrying(submission: Submission, **kwargs) -> str:
    """`_finish`, tried again on a fresh connection when the database went away while the scorer ran.

    The connection of a job sat idle for the whole scoring; if PostgreSQL restarted meanwhile, the first
    write finds it dead. Without this the result was thrown away and the job waited for its lease to
    lapse (30 s) and a second attempt. Retrying is safe: the write is one transaction, conditional on
    the claim (still running, same lease token), so it lands once or reports "superseded".
    """
    for pause in (*FINISH_RETRY_PAUSES, None):
        try:
            return _finish(submission, **kwargs)
        except (OperationalError, InterfaceError):
            if pause is None or connection.in_atomic_block:
                raise
            logger.warning(
                "submission %s: the database went away; writing the result again in %s s", submission.pk, pause
            )
            connection.close()
            time.sleep(pause)
    raise AssertionError("unreachable")


def _finish(
    submission: Submission,
    *,
    token: str,
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
        updated = Submission.objects.filter(pk=submission.pk, status=Status.RUNNING, lease_token=token).update(
            scored_at=now, lease_token="", lease_expires_at=None, **changes
        )
        if updated != 1:
            return "superseded"
        if result is not None:
            # One INSERT ... ON CONFLICT UPDATE (PostgreSQL and SQLite) instead of a SELECT and savepoints.
            ScoreResult.objects.bulk_create(
                [
                    ScoreResult(
                        submission=submission,
                        truth_version=truth_version,
                        scores=result,
                        computed_at=now,
                        duration_ms=duration_ms,
                    )
                ],
                update_conflicts=True,
                unique_fields=["submission", "truth_version"],
                update_fields=["scores", "computed_at", "duration_ms"],
            )
        if result is not None:
            leaderboard_update_for(submission=submission)
        elif LeaderboardEntry.objects.filter(submission=submission).exists():
            leaderboard_rebuild(phase=submission.phase)
        if submission.scored_at is None:
            # The first outcome only: a phase-wide re-score after the truth changed must not email every team
            # once per submission (the pages show the new scores).
            transaction.on_commit(lambda: send_finished_notices(submission.pk))
    return "scored" if result is not None else "failed"


def send_finished_notices(submission_id: int) -> None:
    """Hand the email and the notifications of a first outcome to the `notify` queue.

    They are not part of scoring: at a deadline the workers take every scoring job before any notice
    (the Redis transport reads the queues in priority order, see CELERY_TASK_QUEUES), so the last score
    is not held up by a thousand emails. A broker that refuses the message gets them sent here instead:
    a notice is never dropped for it.
    """
    from ..tasks import notify_finished

    try:
        notify_finished.apply_async((submission_id,), retry=True, retry_policy={"max_retries": 1})
    except Exception:
        logger.warning("could not queue the notices of submission %s; sending them now", submission_id, exc_info=True)
        submission_notify(submission_id=submission_id)


def _announce_finished(submission_id: int, status: str) -> None:
    """Tell the apps above (communication's notifications) through submissions.hooks; never fail scoring."""
    from ..hooks import submission_finished

    for _receiver, result in submission_finished.send_robust(
        sender=Submission, submission_id=submission_id, status=status
    ):
        if isinstance(result, Exception):
            logger.warning("a receiver of submission_finished failed for %s", submission_id, exc_info=result)


def submission_notify(*, submission_id: int) -> None:
    """After a submission's first outcome (scored or failed): tell the apps above through
    submissions.hooks.submission_finished. communication notifies and emails the uploader (with their email
    choices, an unsubscribe link and the delivery log) and, for a failure on the platform's side, the
    organizers. Never fails scoring."""
    status = Submission.objects.filter(pk=submission_id).values_list("status", flat=True).first()
    if status in (Status.SCORED, Status.FAILED):
        _announce_finished(submission_id, status)


def submission_email_text(*, submission: Submission) -> tuple[str, str]:
    """(subject, body) of the email telling the uploader their submission was scored or failed, in the
    active language (the caller overrides it with the reader's)."""
    submission = Submission.objects.select_related("submitted_by", "phase__challenge__event", "team").get(
        pk=submission.pk
    )
    context = {
        "submission": submission,
        "user": submission.submitted_by,
        "phase": submission.phase,
        "challenge": submission.phase.challenge,
        "url": settings.SITE_URL.rstrip("/") + submission.get_absolute_url(),
        "primary_metric": metric_label(rules.primary_metric(submission.phase.challenge)),
    }
    subject = render_to_string(f"submissions/email/{submission.status}_subject.txt", context).strip()
    body = render_to_string(f"submissions/email/{submission.status}_body.txt", context)
    return subject, body
