"""Reads of webhooks and their deliveries (for the organizers' page and the API)."""

from __future__ import annotations

from django.db.models import QuerySet

from challenges.models import Event

from .models import Webhook, WebhookDelivery


def webhooks_of(event: Event) -> QuerySet[Webhook]:
    return Webhook.objects.filter(event=event).order_by("created_at", "id")


def deliveries_of(webhook: Webhook) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")
