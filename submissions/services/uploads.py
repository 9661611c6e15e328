"""Accepting uploads: the window, the file, the team, the limits (under the team-row lock), then the row and its job."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from challenges.models import Event, Phase, Team, TeamMembership
from challenges.selectors import team_of
from challenges.services import require_accepted_terms
from hackplatform.formats import format_moment
from hackplatform.locks import lock_row
from hackplatform.refusals import Refusal

from ..models import Submission
from ..selectors import submission_usage

logger = logging.getLogger(__name__)
Status = Submission.Status


def upload_allowance() -> timedelta:
    """How long after the deadline (grace included) the body of an upload that *started* in time may still
    be arriving. Without it, a request opened before the deadline could trickle in a file made after it."""
    return timedelta(seconds=settings.SUBMISSION_UPLOAD_ALLOWANCE_SECONDS)


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


def judged_challenge_refusal() -> Refusal:
    return Refusal(
        _(
            "This challenge is judged, not scored: it takes no CSV files. Your team writes a project entry "
            "(title, summary, links, screenshots) on the challenge's page instead."
        ),
        code="judged_challenge",
        status=403,
    )


def file_too_large() -> Refusal:
    limit = settings.SUBMISSION_MAX_UPLOAD_BYTES
    return Refusal(
        _("The file is too large: uploads are limited to %(size)s. Compress it with gzip (.csv.gz) if needed.")
        % {"size": filesizeformat(limit)},
        code="file_too_large",
        status=413,
    )


def _check_limits(phase: Phase, team: Team, at: datetime) -> None:
    if phase.daily_limit is None and phase.total_limit is None:
        return  # nothing to count: the two counting queries are skipped (half the upload's queries at a rush)
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


def team_size_refusal(team: Team, event: Event | None = None, *, size: int | None = None) -> Refusal | None:
    """Why `team` may not submit yet (fewer members than the event's minimum team size), or None."""
    minimum = (event or team.event).team_size_min
    size = team.memberships.count() if size is None else size
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


# How long an Idempotency-Key answers with its upload: long enough for any client's retries (the CLI's
# take minutes), short enough that a key reused by mistake days later is refused rather than replayed.
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)


def _existing_for_key(team: Team, phase: Phase, key: str, user: User) -> Submission | None:
    """The upload this key already made (a retry), or None. The key belongs to the uploader who sent it,
    for a day: the same key from a teammate, for another phase or a day later is refused (409), never
    replayed and never turned into a second upload (the key stays unique per team)."""
    if not key:
        return None
    existing = Submission.objects.filter(team=team, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.phase_id != phase.pk:
        raise Refusal(
            _("This Idempotency-Key was already used for an upload to another phase: use a new key."),
            code="idempotency_key_reused",
            status=409,
        )
    if existing.submitted_by_id != user.pk:
        raise Refusal(
            _("This Idempotency-Key was already used by another member of your team: use a new key."),
            code="idempotency_key_reused",
            status=409,
        )
    if existing.received_at < timezone.now() - IDEMPOTENCY_KEY_TTL:
        raise Refusal(
            _("This Idempotency-Key is more than a day old: use a new key for a new upload."),
            code="idempotency_key_expired",
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
    team: Team | None = None,
) -> tuple[Submission, bool]:
    """Accept an upload; return (submission, created). `created` is False for a retried upload.

    0. a judged challenge takes project entries (the judging app), never files,
    1. the user must be registered (current terms accepted) and in a team (`team`, when the caller has
       just looked it up with `team_of`, saves looking again),
    2. a key this uploader used in the last 24 hours answers with that submission, whatever the time now
       (the phase may have closed since); a teammate's, another phase's or an older key is refused (409),
    3. the phase must be open at `received_at`, the server's clock when the request arrived (grace included),
    4. the file: .csv or .csv.gz, not empty, within the size cap,
    5. a first, unlocked look at the limits refuses early, before any file is written,
    6. the file is written to private storage under a random name,
    7. one transaction: lock the team row (FOR NO KEY UPDATE: foreign-key checks of scoring jobs writing
       leaderboard rows for this team must not wait on it, or the two would deadlock on PostgreSQL),
       look again at the key, then at the uploader's membership and the team's size (at least the event's
       minimum number of members; one query for both) and the limits (which count the uploads of the
       team's current members for other teams too), insert the row; if it
       fails the file is deleted, so a row never lacks its file and a refused upload leaves nothing,
    8. after commit the scoring job is sent; a broker that is down leaves it queued for the sweeper.
    """
    if phase.challenge.kind == "judged":
        raise judged_challenge_refusal()
    require_accepted_terms(event=phase.challenge.event, user=user)
    if team is None:
        team = team_of(event=phase.challenge.event, user=user)
    if team is None:
        raise Refusal(
            _("You are not in a team for this event: create or join a team first."), code="no_team", status=403
        )
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 128:
        raise Refusal(_("The Idempotency-Key header is longer than 128 characters."), code="bad_key")
    existing = _existing_for_key(team, phase, idempotency_key, user)
    if existing is not None:
        return existing, False
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
            lock_row(Team, team.pk)
            existing = _existing_for_key(team, phase, idempotency_key, user)
            if existing is None:
                # Under the lock (leaving takes the same row): an uploader who moved to another team since
                # the first look must not add to this one, or their upload would escape the new team's count.
                members = list(TeamMembership.objects.filter(team=team).values_list("user_id", flat=True))
                if user.pk not in members:
                    raise Refusal(
                        _("You are no longer in this team: upload again from your current team."),
                        code="no_team",
                        status=403,
                    )
                if refusal := team_size_refusal(team, phase.challenge.event, size=len(members)):
                    raise refusal
                _check_limits(phase, team, received_at)
                submission.save()
    except IntegrityError:
        # Two retries with the same key raced past the lock (only possible without row locks).
        submission.file.delete(save=False)
        existing = _existing_for_key(team, phase, idempotency_key, user)
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
    from ..tasks import score_submission

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
