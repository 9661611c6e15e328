"""Celery tasks: take ids, let the services decide. Running one twice is harmless (the claim)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver(delivery_pk: int) -> None:
    """One attempt; when the service asks for another (exponential backoff, capped attempts), the next is
    sent as a new message with that countdown (inline when Celery runs eagerly, as in tests)."""
    countdown = services.delivery_attempt(delivery_pk=delivery_pk)
    if countdown is not None:
        services.delivery_schedule(delivery_pk=delivery_pk, countdown=countdown)


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep() -> int:
    """Beat, every minute: send again the deliveries whose message was lost."""
    return services.deliveries_sweep()
