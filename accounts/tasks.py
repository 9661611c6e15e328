"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="accounts.delete_expired_tokens", ignore_result=True)
def delete_expired_tokens() -> int:
    """Beat, hourly: API tokens past their expiry are deleted (authentication refuses them anyway)."""
    return services.tokens_delete_expired()
