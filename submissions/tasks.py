"""Celery tasks: take ids, let the services decide (pretix's shape). Running any of them twice is harmless."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="submissions.score_submission", ignore_result=True)
def score_submission(submission_id: int) -> str:
    """Claim and score one submission (soft/hard time limits: SCORING_SOFT/HARD_TIME_LIMIT)."""
    return services.submission_score(submission_id=submission_id)


@shared_task(name="submissions.sweep", ignore_result=True)
def sweep_submissions() -> dict[str, int]:
    """Beat, every SCORING_SWEEP_SECONDS: send again what a broker or a dead worker lost; give up on poison files."""
    return services.submissions_sweep()


@shared_task(name="submissions.rebuild_leaderboard", ignore_result=True)
def rebuild_leaderboard(phase_id: int) -> int:
    from challenges.models import Phase

    phase = Phase.objects.filter(pk=phase_id).first()
    return services.leaderboard_rebuild(phase=phase) if phase else 0


@shared_task(name="submissions.notify_finished", ignore_result=True)
def notify_finished(submission_id: int) -> None:
    """The notifications and email of a submission's first outcome (queue `notify`, after every scoring job)."""
    services.submission_notify(submission_id=submission_id)
