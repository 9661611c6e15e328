"""What webhooks do when the lower apps announce something (connected in apps.ready())."""

from __future__ import annotations


def on_submission_finished(sender, submission_id: int, status: str, **kwargs) -> None:
    from .services import webhooks_submission_finished

    webhooks_submission_finished(submission_id=submission_id, status=status)


def on_results_published(sender, phase_id: int, **kwargs) -> None:
    from .services import webhooks_results_published

    webhooks_results_published(phase_id=phase_id)
