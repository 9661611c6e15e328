"""Celery tasks: take ids, let the services decide. Running any of them twice is harmless."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="communication.send_announcement", ignore_result=True)
def send_announcement(announcement_id: int) -> int:
    return services.announcement_send(announcement_id=announcement_id)


@shared_task(name="communication.email_announcement", ignore_result=True)
def email_announcement(announcement_id: int) -> dict[str, int]:
    return services.deliveries_email(announcement_id=announcement_id)


@shared_task(name="communication.email_deliveries", ignore_result=True)
def email_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    return services.deliveries_email(delivery_ids=delivery_ids)


@shared_task(name="communication.send_due", ignore_result=True)
def send_due() -> dict[str, int]:
    """Beat, every minute: scheduled announcements that are due, email retries, phase reminders."""
    counts = services.announcements_send_due()
    counts["reminded"] = services.phase_reminders_send()
    return counts
