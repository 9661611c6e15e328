"""What organizers and teams do to a submission: re-score, cancel, mark final."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from challenges.models import Phase, Team
from challenges.selectors import is_organizer, team_of
from challenges.services import audit
from hackplatform.locks import lock_row
from hackplatform.refusals import Refusal

from ..models import Submission
from .leaderboards import leaderboard_rebuild
from .uploads import send_scoring_job

logger = logging.getLogger(__name__)
Status = Submission.Status


def _require_organizer(user: User, phase: Phase) -> None:
    if not is_organizer(user, phase.challenge.event):
        raise PermissionDenied(_("Only the organizers of this event can do this."))


@transaction.atomic
def submission_rescore(*, submission: Submission, actor: User) -> Submission:
    """Score a submission again (after the truth was replaced, or a platform failure). Organizers only."""
    _require_organizer(actor, submission.phase)
    updated = Submission.objects.filter(pk=submission.pk, status__in=[Status.SCORED, Status.FAILED]).update(
        status=Status.QUEUED,
        attempts=0,
        claimed_at=None,
        lease_token="",
        lease_expires_at=None,
        enqueued_at=timezone.now(),
        error_code="",
        error_params={},
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
        status=Status.QUEUED,
        attempts=0,
        claimed_at=None,
        lease_token="",
        lease_expires_at=None,
        enqueued_at=now,
        error_code="",
        error_params={},
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
    lock_row(Team, submission.team_id)
    Submission.objects.filter(phase=phase, team=submission.team, is_final=True).update(is_final=False)
    Submission.objects.filter(pk=submission.pk).update(is_final=True)
    leaderboard_rebuild(phase=phase)
    submission.refresh_from_db()
    return submission
