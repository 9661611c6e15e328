"""Writes of the submissions app: accepting uploads, scoring them, recovering lost jobs, leaderboards.

Every function that changes a submission's status does it with a conditional update (the row must
still be in the state the function expects), so two workers, a sweeper and an organizer acting at
the same moment can never both win, and running any of them twice is harmless.
"""

from __future__ import annotations

import logging
import math
import os
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from challenges.models import Event, Phase, Team, TeamMembership
from challenges.selectors import is_organizer
from challenges.services import audit, require_accepted_terms, team_of
from hackplatform.refusals import Refusal

from . import rules
from .models import LeaderboardEntry, ScoreResult, Submission
from .selectors import format_moment, submission_usage
from .texts import ERRORS

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


def upload_allowance() -> timedelta:
    """How long after the deadline (grace included) the body of an upload that *started* in time may still
    be arriving. Without it, a request opened before the deadline could trickle in a file made after it."""
    return timedelta(seconds=settings.SUBMISSION_UPLOAD_ALLOWANCE_SECONDS)


# Accepting uploads --------------------------------------------------------------------------------


def _check_window(phase: Phase, received_at: datetime, body_received_at: datetime | None) -> None:
    if received_at < phase.opens_at:
        raise Refusal(
            _("This phase is not open yet: it opens at %(opens)s. Your upload arrived at %(at)s.")
            % {"opens": format_moment(phase.opens_at), "at": format_moment(received_at)},
            code="phase_not_open",
            status=403,
        )
    if not phase.is_open(received_at):
        if phase.grace_seconds:
            message = _(
                "This phase is closed: the deadline was %(closes)s and uploads were accepted until %(until)s "
                "(a grace period of %(grace)d seconds). Your upload arrived at %(at)s."
            )
        else:
            message = _("This phase is closed: the deadline was %(closes)s. Your upload arrived at %(at)s.")
        raise Refusal(
            message
            % {
                "closes": format_moment(phase.closes_at),
                "until": format_moment(phase.accepts_until),
                "grace": phase.grace_seconds,
                "at": format_moment(received_at),
            },
            code="phase_closed",
            status=403,
        )
    if body_received_at is not None and body_received_at > phase.accepts_until + upload_allowance():
        raise Refusal(
            _(
                "Your upload started before the deadline but took until %(done)s to arrive, more than "
                "%(minutes)d minutes after the phase closed. Upload again while the phase is open."
            )
            % {"done": format_moment(body_received_at), "minutes": upload_allowance().total_seconds() // 60},
            code="upload_too_slow",
            status=403,
        )


def _check_file(file: UploadedFile | None, description: str) -> str:
    """Return the participant's file name (for display only) or refuse the file."""
    if file is None:
        raise Refusal(_("Choose a file to upload (CSV, or CSV compressed as .csv.gz)."), code="no_file")
    name = os.path.basename((file.name or "").replace("\\", "/"))[:255]
    if not name.lower().endswith((".csv", ".csv.gz")):
        raise Refusal(
            _("“%(name)s” is not a CSV file: upload a .csv file, or a .csv.gz compressed with gzip.") % {"name": name},
            code="bad_file_type",
        )
    if not file.size:
        raise Refusal(_("The file is empty."), code="empty_file")
    if file.size > settings.SUBMISSION_MAX_UPLOAD_BYTES:
        raise file_too_large()
    if len(description) > 500:
        raise Refusal(_("The description is too long (500 characters at most)."), code="description")
    return name


def file_too_large() -> Refusal:
    limit = settings.SUBMISSION_MAX_UPLOAD_BYTES
    return Refusal(
        _("The file is too large: uploads are limited to %(size)s. Compress it with gzip (.csv.gz) if needed.")
        % {"size": _human_bytes(limit)},
        code="file_too_large",
        status=413,
    )


def _human_bytes(n: int) -> str:
    units = ((_("%(size)s GB"), 1 << 30), (_("%(size)s MB"), 1 << 20), (_("%(size)s KB"), 1 << 10))
    for text, size in units:
        if n >= size:
            return text % {"size": f"{n / size:.3g}"}
    return ngettext("%(size)d byte", "%(size)d bytes", n) % {"size": n}


def _check_limits(phase: Phase, team: Team, at: datetime) -> None:
    usage = submission_usage(phase=phase, team=team, at=at)
    if usage.total_left is not None and usage.total_left <= 0:
        raise Refusal(
            ngettext(
                "Your team has reached this phase's limit of %(limit)d submission.",
                "Your team has reached this phase's limit of %(limit)d submissions.",
                phase.total_limit,
            )
            % {"limit": phase.total_limit},
            code="total_limit_reached",
            status=429,
        )
    if usage.today_left is not None and usage.today_left <= 0:
        raise Refusal(
            ngettext(
                "Your team has reached today's limit of %(limit)d submission. The count resets at %(reset)s.",
                "Your team has reached today's limit of %(limit)d submissions. The count resets at %(reset)s.",
                phase.daily_limit,
            )
            % {"limit": phase.daily_limit, "reset": format_moment(usage.resets_at)},
            code="daily_limit_reached",
            status=429,
            retry_after=usage.resets_at,
        )


def team_size_refusal(team: Team, event: Event | None = None) -> Refusal | None:
    """Why `team` may not submit yet (fewer members than the event's minimum team size), or None."""
    minimum = (event or team.event).team_size_min
    size = team.memberships.count()
    if size >= minimum:
        return None
    return Refusal(
        ngettext(
            "Your team needs at least %(min)d member to submit; it has %(n)d.",
            "Your team needs at least %(min)d members to submit; it has %(n)d.",
            minimum,
        )
        % {"min": minimum, "n": size},
        code="team_too_small",
        status=403,
    )


def _check_team_size(team: Team, event: Event) -> None:
    refusal = team_size_refusal(team, event)
    if refusal is not None:
        raise refusal


def _existing_for_key(team: Team, phase: Phase, key: str) -> Submission | None:
    if not key:
        return None
    existing = Submission.objects.filter(team=team, idempotency_key=key).first()
    if existing is not None and existing.phase_id != phase.pk:
        raise Refusal(
            _("This Idempotency-Key was already used for an upload to another phase: use a new key."),
            code="idempotency_key_reused",
            status=409,
        )
    return existing


def submission_create(
    *,
    phase: Phase,
    user: User,
    file: UploadedFile | None,
    received_at: datetime,
    description: str = "",
    idempotency_key: str = "",
    body_received_at: datetime | None = None,
) -> tuple[Submission, bool]:
    """Accept an upload; return (submission, created). `created` is False for a retried upload.

    1. the user must be registered (current terms accepted) and in a team,
    2. a key this team already used answers with that submission, whatever the time now,
       otherwise the team must have at least the event's minimum number of members,
    3. the phase must be open at `received_at`, the server's clock when the request arrived (grace included),
    4. the file: .csv or .csv.gz, not empty, within the size cap,
    5. a first, unlocked look at the limits refuses early, before any file is written,
    6. the file is written to private storage under a random name,
    7. one transaction: lock the team row (FOR NO KEY UPDATE: foreign-key checks of scoring jobs writing
       leaderboard rows for this team must not wait on it, or the two would deadlock on PostgreSQL),
       look again at the key, the uploader's membership, the team's size and the limits (which count the
       uploads of the team's current members for other teams too), insert the row; if it
       fails the file is deleted, so a row never lacks its file and a refused upload leaves nothing,
    8. after commit the scoring job is sent; a broker that is down leaves it queued for the sweeper.
    """
    require_accepted_terms(event=phase.challenge.event, user=user)
    team = team_of(event=phase.challenge.event, user=user)
    if team is None:
        raise Refusal(
            _("You are not in a team for this event: create or join a team first."), code="no_team", status=403
        )
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 128:
        raise Refusal(_("The Idempotency-Key header is longer than 128 characters."), code="bad_key")
    existing = _existing_for_key(team, phase, idempotency_key)
    if existing is not None:
        return existing, False
    _check_team_size(team, phase.challenge.event)
    _check_window(phase, received_at, body_received_at)
    original_name = _check_file(file, description)
    _check_limits(phase, team, received_at)

    submission = Submission(
        phase=phase,
        team=team,
        submitted_by=user,
        original_name=original_name,
        size=file.size,
        description=description,
        idempotency_key=idempotency_key,
        received_at=received_at,
        enqueued_at=received_at,
    )
    submission.file.save(original_name, file, save=False)
    try:
        with transaction.atomic():
            Team.objects.select_for_update(no_key=True).filter(pk=team.pk).first()
            existing = _existing_for_key(team, phase, idempotency_key)
            if existing is None:
                # Under the lock (leaving takes the same row): an uploader who moved to another team since
                # the first look must not add to this one, or their upload would escape the new team's count.
                if not TeamMembership.objects.filter(team=team, user=user).exists():
                    raise Refusal(
                        _("You are no longer in this team: upload again from your current team."),
                        code="no_team",
                        status=403,
                    )
                _check_team_size(team, phase.challenge.event)  # a member may have left since the first look
                _check_limits(phase, team, received_at)
                submission.save()
    except IntegrityError:
        # Two retries with the same key raced past the lock (only possible without row locks).
        submission.file.delete(save=False)
        existing = _existing_for_key(team, phase, idempotency_key)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        submission.file.delete(save=False)
        raise
    if existing is not None:
        submission.file.delete(save=False)
        return existing, False
    transaction.on_commit(lambda: send_scoring_job(submission.pk))
    return submission, True


def send_scoring_job(submission_id: int) -> bool:
    """Hand a submission to the broker. A failure is logged, never raised: the sweeper sends it later."""
    from .tasks import score_submission

    try:
        score_submission.apply_async(
            (submission_id,),
            # The limits travel in the message; read them from settings at send time, not task defaults.
            soft_time_limit=settings.SCORING_SOFT_TIME_LIMIT,
            time_limit=settings.SCORING_HARD_TIME_LIMIT,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5},
        )
    except Exception:
        logger.warning(
            "could not send the scoring job of submission %s; the sweeper will", submission_id, exc_info=True
        )
        Submission.objects.filter(pk=submission_id, status=Status.QUEUED).update(enqueued_at=None)
        return False
    return True


# Scoring ------------------------------------------------------------------------------------------


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
    return "scored" if result is not None else "failed"


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


# Recovering lost or stuck jobs --------------------------------------------------------------------


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


# Organizer and team actions -----------------------------------------------------------------------


def _require_organizer(user: User, phase: Phase) -> None:
    if not is_organizer(user, phase.challenge.event):
        raise PermissionDenied(_("Only the organizers of this event can do this."))


@transaction.atomic
def submission_rescore(*, submission: Submission, actor: User) -> Submission:
    """Score a submission again (after the truth was replaced, or a platform failure). Organizers only."""
    _require_organizer(actor, submission.phase)
    updated = Submission.objects.filter(pk=submission.pk, status__in=[Status.SCORED, Status.FAILED]).update(
        status=Status.QUEUED, attempts=0, claimed_at=None, enqueued_at=timezone.now(), error_code="", error_params={}
    )
    if not updated:
        submission.refresh_from_db()
        # One full sentence per status: a status label dropped into a sentence does not translate.
        reasons = {
            Status.QUEUED: _(
                "This submission is waiting to be scored: only scored or failed submissions can be re-scored."
            ),
            Status.RUNNING: _(
                "This submission is being scored now: only scored or failed submissions can be re-scored."
            ),
            Status.CANCELLED: _("This submission was cancelled: only scored or failed submissions can be re-scored."),
        }
        raise Refusal(
            reasons.get(submission.status, _("Only scored or failed submissions can be re-scored.")),
            code="not_rescorable",
            status=409,
        )
    audit(event=submission.phase.challenge.event, actor=actor, action="submission_rescore", submission=submission.pk)
    transaction.on_commit(lambda: send_scoring_job(submission.pk))
    submission.refresh_from_db()
    return submission


@transaction.atomic
def phase_rescore(*, phase: Phase, actor: User) -> int:
    """Score again every scored or failed submission of a phase; returns how many were queued.

    Submissions queued or running now are left alone: they read the current truth when they start.
    """
    _require_organizer(actor, phase)
    ids = list(phase.submissions.filter(status__in=[Status.SCORED, Status.FAILED]).values_list("pk", flat=True))
    now = timezone.now()
    Submission.objects.filter(pk__in=ids, status__in=[Status.SCORED, Status.FAILED]).update(
        status=Status.QUEUED, attempts=0, claimed_at=None, enqueued_at=now, error_code="", error_params={}
    )
    audit(event=phase.challenge.event, actor=actor, action="phase_rescore", phase=phase.pk, submissions=len(ids))
    for pk in ids:
        transaction.on_commit(lambda pk=pk: send_scoring_job(pk))
    return len(ids)


@transaction.atomic
def submission_cancel(*, submission: Submission, actor: User) -> Submission:
    """Cancel a submission (organizers): never ranked again, no longer counted towards the team's limits."""
    _require_organizer(actor, submission.phase)
    updated = (
        Submission.objects.filter(pk=submission.pk)
        .exclude(status=Status.CANCELLED)
        .update(status=Status.CANCELLED, counts_toward_limit=False, is_final=False)
    )
    if not updated:
        raise Refusal(_("This submission is already cancelled."), code="already_cancelled", status=409)
    audit(event=submission.phase.challenge.event, actor=actor, action="submission_cancel", submission=submission.pk)
    leaderboard_rebuild(phase=submission.phase)
    submission.refresh_from_db()
    return submission


@transaction.atomic
def submission_mark_final(*, submission: Submission, user: User) -> Submission:
    """Choose the submission a team stands on (phases whose leaderboard uses the final submission).

    1. only a member of the submission's team, only for a scored submission, only while the phase accepts uploads,
    2. the team's other submissions of the phase lose the mark (lock the team row; one final per team),
    3. rebuild the leaderboard.
    """
    phase = submission.phase
    if team_of(event=phase.challenge.event, user=user) != submission.team:
        raise PermissionDenied(_("Only a member of the team can choose its final submission."))
    if phase.leaderboard_mode != Phase.LeaderboardMode.FINAL:
        raise Refusal(
            _("This phase ranks each team's best submission: there is no final submission to choose."),
            code="not_final_mode",
        )
    if not phase.is_open(timezone.now()):
        raise Refusal(_("The phase is closed: the final submission can no longer change."), code="closed")
    if submission.status != Status.SCORED:
        raise Refusal(_("Only a scored submission can be chosen as final."), code="not_scored")
    Team.objects.select_for_update(no_key=True).filter(pk=submission.team_id).first()
    Submission.objects.filter(phase=phase, team=submission.team, is_final=True).update(is_final=False)
    Submission.objects.filter(pk=submission.pk).update(is_final=True)
    leaderboard_rebuild(phase=phase)
    submission.refresh_from_db()
    return submission


# Leaderboards -------------------------------------------------------------------------------------


def _chosen_submissions(phase: Phase) -> list[dict]:
    """Each team's submission on the leaderboard: one query, the choice made by a window function.

    The same submission stands for the team on both splits, chosen without looking at private scores
    (its best public score, or the one marked final): choosing by the private score would let a team's
    many uploads be selected on the hidden data.
    """
    if phase.leaderboard_mode == Phase.LeaderboardMode.FINAL:
        order = [F("is_final").desc(), F("received_at").desc(), F("id").desc()]
        base = Submission.objects.filter(phase=phase, status=Status.SCORED)
    else:
        best = F("public_score").desc() if rules.higher_is_better(phase.challenge) else F("public_score").asc()
        order = [best, F("received_at").asc(), F("id").asc()]
        base = Submission.objects.filter(phase=phase, status=Status.SCORED, public_score__isnull=False)
    # The window runs over narrow rows (ids only); the wide ones (scores) are read for the winners only.
    winners = base.annotate(choice=Window(RowNumber(), partition_by=[F("team_id")], order_by=order)).filter(choice=1)
    ids = list(winners.values_list("id", flat=True))
    return list(
        Submission.objects.filter(pk__in=ids).values(
            "id",
            "team_id",
            "received_at",
            "public_score",
            "private_score",
            "scores",
            "team__name",
            "team__country",
            "team__is_baseline",
        )
    )


_ENTRY_COLUMNS = (
    "phase_id",
    "split",
    "position",
    "rank",
    "team_id",
    "team_name",
    "team_country",
    "is_baseline",
    "submission_id",
    "score",
    "scores",
    "received_at",
)


def _insert_entries(rows: list[tuple]) -> None:
    """Insert leaderboard rows with executemany: bulk_create spends most of a 5,000-team rebuild preparing
    each of 120,000 values; only the JSON and date columns need the database's preparation here."""
    if not rows:
        return
    meta = LeaderboardEntry._meta
    scores_field, received_field = meta.get_field("scores"), meta.get_field("received_at")
    columns = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in _ENTRY_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_ENTRY_COLUMNS))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})"
    prepared = [
        (
            *row[:10],
            scores_field.get_db_prep_save(row[10], connection),
            received_field.get_db_prep_save(row[11], connection),
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 2000):
            cursor.executemany(sql, prepared[start : start + 2000])


@transaction.atomic
def leaderboard_rebuild(*, phase: Phase) -> int:
    """Rebuild both splits of a phase's leaderboard from the scored submissions (never incremented).

    1. lock the phase row, so rebuilds of one phase run one after the other and each sees the last,
    2. pick each team's submission (see `_chosen_submissions`),
    3. per split: sort by that split's score (best first; the earlier upload wins a tie, then the lower
       id), number every row (`position`) and the competing teams (`rank`; baselines take no rank),
    4. replace the rows and bump `leaderboard_version`: cached pages of the old version are never read again.
    Returns the number of rows written.
    """
    Phase.objects.select_for_update(no_key=True).filter(pk=phase.pk).first()
    chosen = _chosen_submissions(phase)
    sign = -1 if rules.higher_is_better(phase.challenge) else 1
    rows: list[tuple] = []
    for split in ("public", "private"):
        field = f"{split}_score"
        ranked = sorted(
            (s for s in chosen if s[field] is not None),
            key=lambda s, field=field: (sign * s[field], s["received_at"], s["id"]),
        )
        rank = 0
        for position, s in enumerate(ranked, start=1):
            baseline = s["team__is_baseline"]
            if not baseline:
                rank += 1
            rows.append(
                (
                    phase.pk,
                    split,
                    position,
                    None if baseline else rank,
                    s["team_id"],
                    s["team__name"],
                    str(s["team__country"] or ""),
                    baseline,
                    s["id"],
                    s[field],
                    (s["scores"] or {}).get(split) or {},
                    s["received_at"],
                )
            )
    LeaderboardEntry.objects.filter(phase=phase).delete()
    _insert_entries(rows)
    Phase.objects.filter(pk=phase.pk).update(leaderboard_version=F("leaderboard_version") + 1)
    phase.refresh_from_db(fields=["leaderboard_version"])
    return len(rows)


@transaction.atomic
def leaderboard_update_for(*, submission: Submission) -> bool:
    """After `submission` was scored: rebuild the leaderboard, unless it provably cannot change.

    In "best" phases a new score that does not beat the team's current row (a lower score, or an equal
    one uploaded later) changes nothing, and most uploads are like that; the check runs under the same
    phase lock as a rebuild. Returns whether a rebuild ran.
    """
    phase = submission.phase
    Phase.objects.select_for_update(no_key=True).filter(pk=phase.pk).first()
    submission.refresh_from_db(fields=["status", "public_score", "received_at"])
    if phase.leaderboard_mode == Phase.LeaderboardMode.BEST and submission.status == Status.SCORED:
        if submission.public_score is None:
            return False
        current = (
            LeaderboardEntry.objects.filter(phase=phase, split="public", team_id=submission.team_id)
            .values("score", "received_at", "submission_id")
            .first()
        )
        if current is not None and current["submission_id"] != submission.pk:
            sign = -1 if rules.higher_is_better(phase.challenge) else 1
            mine = (sign * submission.public_score, submission.received_at, submission.pk)
            theirs = (sign * current["score"], current["received_at"], current["submission_id"])
            if theirs < mine:
                return False
    leaderboard_rebuild(phase=phase)
    return True


def leaderboards_refresh_for_team(*, team: Team) -> int:
    """Rebuild every leaderboard that lists `team`: its rows hold copies of the team's name and country.

    Phases are rebuilt in id order, so two renames at once take the phase locks in the same order.
    Returns the number of phases rebuilt.
    """
    phases = list(
        Phase.objects.filter(leaderboard_entries__team=team).distinct().select_related("challenge").order_by("pk")
    )
    for phase in phases:
        leaderboard_rebuild(phase=phase)
    return len(phases)
