"""The organizers' webhook pages: list and add, delete, the delivery log, a test ping."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges.models import Event
from challenges.selectors import event_visible, is_organizer
from hackplatform.web import add_form_errors, explain_refusals

from . import selectors, services
from .forms import WebhookForm
from .models import Webhook


def _organized_event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not event_visible(request.user, event):
        raise Http404(_("No such event."))
    if not is_organizer(request.user, event):
        raise PermissionDenied(_("Only the organizers of this event can manage its webhooks."))
    return event


def _organized_webhook(request, pk: int) -> Webhook:
    webhook = get_object_or_404(Webhook.objects.select_related("event"), pk=pk)
    if not is_organizer(request.user, webhook.event):
        raise Http404(_("No such webhook."))
    return webhook


@login_required
@explain_refusals
def event_webhooks(request, slug):
    event = _organized_event(request, slug)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, secret = services.webhook_create(
                event=event,
                actor=request.user,
                url=data["url"],
                event_types=data["event_types"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            created.shown_secret = secret  # on this page only, this once
            form = WebhookForm()
    context = {"event": event, "form": form, "webhooks": selectors.webhooks_of(event), "created": created}
    return render(request, "webhooks/event_webhooks.html", context)


@login_required
@explain_refusals
def webhook_detail(request, pk):
    webhook = _organized_webhook(request, pk)
    deliveries = selectors.deliveries_of(webhook)[:100]
    return render(
        request, "webhooks/webhook_detail.html", {"event": webhook.event, "webhook": webhook, "deliveries": deliveries}
    )


@login_required
@require_POST
@explain_refusals
def webhook_delete(request, pk):
    webhook = _organized_webhook(request, pk)
    event = webhook.event
    services.webhook_delete(webhook=webhook, actor=request.user)
    messages.success(request, _("The webhook was deleted."))
    return redirect("webhooks:event_webhooks", event.slug)


@login_required
@require_POST
@explain_refusals
def webhook_ping(request, pk):
    webhook = _organized_webhook(request, pk)
    services.webhook_ping(webhook=webhook, actor=request.user)
    messages.success(request, _("A test ping was sent; its delivery is listed below."))
    return redirect("webhooks:webhook_detail", webhook.pk)
