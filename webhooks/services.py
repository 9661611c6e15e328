"""Webhooks of an event: made and removed by its organizers, fired by scoring and publication, each
delivery signed, logged and retried with backoff (tasks.deliver)."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from challenges.models import Event, Phase
from challenges.selectors import is_organizer
from challenges.services import audit
from hackplatform.refusals import Refusal
from submissions.models import Submission

from . import delivery
from .models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

MAX_WEBHOOKS_PER_EVENT = 10
RETRYABLE = {408, 425, 429}


def require_webhook_organizer(*, user: User, event: Event) -> None:
    if not is_organizer(user, event):
        raise PermissionDenied(_("Only the organizers of this event can manage its webhooks."))


def _check_url(url: str) -> None:
    try:
        delivery.resolve(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE)
    except delivery.AddressRefused as exc:
        raise Refusal(_("This URL cannot receive webhooks: %(reason)s.") % {"reason": exc}, code="webhook_url_refused")


@transaction.atomic
def webhook_create(
    *, event: Event, actor: User, url: str, event_types: list[str], is_active: bool = True
) -> tuple[Webhook, str]:
    """Register a URL for some of the event's types; returns the webhook and its secret (shown once).

    1. organizers only (403); at most MAX_WEBHOOKS_PER_EVENT per event;
    2. at least one known type; the URL must be http(s) and resolve to public addresses only
       (checked again at every send: DNS can change);
    3. store it with a fresh random secret and record it in the audit log.
    """
    require_webhook_organizer(user=actor, event=event)
    types = sorted(set(event_types))
    unknown = [t for t in types if t not in Webhook.EventType.values]
    if not types or unknown:
        raise Refusal(
            _("Choose one or more of these event types: %(types)s.") % {"types": ", ".join(Webhook.EventType.values)},
            code="webhook_event_types",
        )
    if Webhook.objects.filter(event=event).count() >= MAX_WEBHOOKS_PER_EVENT:
        raise Refusal(
            _("An event can have at most %(n)d webhooks: delete one first.") % {"n": MAX_WEBHOOKS_PER_EVENT},
            code="webhook_limit",
        )
    _check_url(url)
    webhook = Webhook.objects.create(event=event, url=url, event_types=types, is_active=is_active, created_by=actor)
    audit(event=event, actor=actor, action="webhook_create", webhook=webhook.pk, url=url, types=types)
    return webhook, webhook.secret


@transaction.atomic
def webhook_delete(*, webhook: Webhook, actor: User) -> None:
    require_webhook_organizer(user=actor, event=webhook.event)
    audit(event=webhook.event, actor=actor, action="webhook_delete", webhook=webhook.pk, url=webhook.url)
    webhook.delete()


@transaction.atomic
def webhook_ping(*, webhook: Webhook, actor: User) -> WebhookDelivery:
    """Send a `ping` now (even to an inactive webhook): the organizers check their receiver."""
    require_webhook_organizer(user=actor, event=webhook.event)
    return _delivery_create(webhook=webhook, event_type="ping", data={"webhook": webhook.pk, "by": actor.username})


def _delivery_create(*, webhook: Webhook, event_type: str, data: dict) -> WebhookDelivery:
    delivery_id = uuid.uuid4()
    created_at = timezone.now()
    body = {
        "id": str(delivery_id),
        "type": event_type,
        "created_at": created_at.isoformat(),
        "event": webhook.event.slug,
        "data": data,
    }
    row = WebhookDelivery.objects.create(
        webhook=webhook,
        delivery_id=delivery_id,
        type=event_type,
        body=json.dumps(body, sort_keys=True, separators=(",", ":")),
        created_at=created_at,
    )
    transaction.on_commit(lambda: delivery_schedule(delivery_pk=row.pk))
    return row


def delivery_schedule(*, delivery_pk: int, countdown: float | None = None) -> None:
    """Queue an attempt (after `countdown` seconds); a broker outage leaves the row pending, not lost."""
    from .tasks import deliver

    try:
        deliver.apply_async((delivery_pk,), countdown=countdown)
    except Exception:  # the broker is down: the delivery stays pending, shown in the log
        logger.exception("webhook delivery %s: could not be queued", delivery_pk)


@transaction.atomic
def deliveries_create(*, event: Event, event_type: str, data: dict) -> list[WebhookDelivery]:
    """One delivery per active webhook of `event` that asked for `event_type`; each sent after commit."""
    hooks = [h for h in Webhook.objects.filter(event=event, is_active=True) if event_type in h.event_types]
    return [_delivery_create(webhook=h, event_type=event_type, data=data) for h in hooks]


def delivery_attempt(*, delivery_pk: int) -> float | None:
    """Try to send a delivery once; the seconds to wait before the next try, or None when it is settled.

    1. claim it (pending or retrying -> sending, attempts + 1) with a conditional update; stop unless
       exactly one row changed (another worker has it, or it is settled);
    2. send it (delivery.send: address checked at this moment, signed, no redirects, short timeouts);
    3. 2xx: delivered. Connection errors, timeouts, 5xx, 408/425/429: retry after 2^attempts x base
       seconds while attempts < WEBHOOKS_MAX_ATTEMPTS, else failed. Anything else (4xx, a redirect, a
       refused address): failed at once, since sending it again would get the same answer.
    """
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_pk, status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
    ).update(status=WebhookDelivery.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=timezone.now())
    if claimed != 1:
        return None
    row = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_pk)
    retry = False
    try:
        outcome = delivery.send(
            url=row.webhook.url,
            secret=row.webhook.secret,
            body=row.body.encode(),
            delivery_id=str(row.delivery_id),
            event_type=row.type,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE,
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        )
    except delivery.AddressRefused as exc:
        outcome = delivery.Outcome(None, f"refused: {exc}")
    else:
        retry = outcome.error != "" and (
            outcome.status_code is None or outcome.status_code >= 500 or outcome.status_code in RETRYABLE
        )
    row.response_status = outcome.status_code
    row.error = outcome.error[:500]
    countdown = None
    if not outcome.error:
        row.status, row.delivered_at, row.next_attempt_at = WebhookDelivery.Status.DELIVERED, timezone.now(), None
    elif retry and row.attempts < settings.WEBHOOKS_MAX_ATTEMPTS:
        countdown = float(settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** (row.attempts - 1))
        row.status, row.next_attempt_at = WebhookDelivery.Status.RETRYING, timezone.now() + timedelta(seconds=countdown)
    else:
        row.status, row.next_attempt_at = WebhookDelivery.Status.FAILED, None
    row.save(update_fields=["status", "response_status", "error", "delivered_at", "next_attempt_at"])
    logger.info("webhook delivery %s: %s (attempt %d)", row.delivery_id, row.status, row.attempts)
    return countdown


def deliveries_sweep(*, now=None) -> int:
    """Queue again what no message carries any more: pending for over a minute (the broker was down when
    it was queued), retrying past its time by a minute, sending for longer than any try can take (the
    worker died). Each attempt claims its row, so a duplicate message is harmless."""
    now = now or timezone.now()
    grace = timedelta(seconds=60)
    stuck_sending = now - timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS * 4 + 60)
    WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENDING, last_attempt_at__lt=stuck_sending).update(
        status=WebhookDelivery.Status.RETRYING, next_attempt_at=now, error="the worker stopped during the attempt"
    )
    due = WebhookDelivery.objects.filter(
        Q(status=WebhookDelivery.Status.PENDING, created_at__lt=now - grace)
        | Q(status=WebhookDelivery.Status.RETRYING, next_attempt_at__lt=now - grace)
    ).values_list("pk", flat=True)[:500]
    pks = list(due)
    for pk in pks:
        delivery_schedule(delivery_pk=pk)
    return len(pks)


# What the events say ------------------------------------------------------------------------------


def submission_data(submission: Submission) -> dict:
    """A submission as anyone may see it on the public leaderboard: the public score only while the
    phase shows its public leaderboard (or once published), the private score only once published."""
    phase = submission.phase
    scores = submission.scores or {}
    shown: dict = {}
    if submission.status == Submission.Status.SCORED:
        if phase.public_leaderboard or phase.results_published:
            shown["public"] = scores.get("public") or {}
        if phase.results_published:
            shown["private"] = scores.get("private") or {}
    return {
        "submission": {
            "id": submission.pk,
            "url": reverse("api:submission-detail", args=[submission.pk]),
            "phase": phase.pk,
            "challenge": phase.challenge.slug,
            "team": {"id": submission.team_id, "name": submission.team.name},
            "status": submission.status,
            "submitted_at": submission.received_at.isoformat(),
            "scored_at": submission.scored_at.isoformat() if submission.scored_at else None,
            "scores": shown,
            "error_code": submission.error_code or None,
        }
    }


def webhooks_submission_finished(*, submission_id: int, status: str) -> list[WebhookDelivery]:
    submission = Submission.objects.filter(pk=submission_id).select_related("phase__challenge__event", "team").first()
    if submission is None or status not in (Submission.Status.SCORED, Submission.Status.FAILED):
        return []
    event_type = Webhook.EventType.SUBMISSION_SCORED if status == "scored" else Webhook.EventType.SUBMISSION_FAILED
    return deliveries_create(
        event=submission.phase.challenge.event, event_type=event_type, data=submission_data(submission)
    )


def webhooks_results_published(*, phase_id: int) -> list[WebhookDelivery]:
    phase = Phase.objects.filter(pk=phase_id).select_related("challenge__event").first()
    if phase is None or not phase.results_published:
        return []
    data = {
        "phase": {
            "id": phase.pk,
            "name": phase.name,
            "challenge": phase.challenge.slug,
            "results_published_at": phase.results_published_at.isoformat(),
            "leaderboard": reverse("api:phase-leaderboard", args=[phase.pk]) + "?split=private",
        }
    }
    return deliveries_create(event=phase.challenge.event, event_type=Webhook.EventType.RESULTS_PUBLISHED, data=data)
