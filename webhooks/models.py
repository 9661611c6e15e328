"""Organizers' webhooks (an event's outgoing notifications to their own systems) and each delivery."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Event


def webhook_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    class EventType(models.TextChoices):
        SUBMISSION_SCORED = "submission.scored", _("A submission was scored")
        SUBMISSION_FAILED = "submission.failed", _("A submission failed")
        RESULTS_PUBLISHED = "results.published", _("A phase's results were published")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("URL"), max_length=500)
    # Kept in the clear because every delivery is signed with it (HMAC needs the key itself); shown to
    # the organizers once, when the webhook is made, and never in a page, an answer, a log or the admin.
    secret = models.CharField(max_length=64, default=webhook_secret, editable=False)
    event_types = models.JSONField(default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "created_at", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        RETRYING = "retrying", _("Failed, will be tried again")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # The id receivers see (X-Hackplatform-Delivery and the body's `id`): the same on every attempt.
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40)
    # The exact bytes sent (as text), signed on each attempt: a retry sends what the first attempt sent.
    body = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.delivery_id}"
