"""HTML pages: the notification list, email choices, one-click unsubscribe, the organizers' announcements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from challenges import selectors as challenge_selectors
from challenges.models import Event
from hackplatform.refusals import Refusal
from hackplatform.web import add_form_errors, explain, explain_refusals, next_url

from . import selectors, services
from .forms import AnnouncementForm, EmailPreferencesForm
from .models import Announcement, EmailOptOut


def _organized_event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not challenge_selectors.event_visible(request.user, event, None):
        raise Http404(_("No such event."))
    if not challenge_selectors.is_organizer(request.user, event):
        raise PermissionDenied(_("Only the organizers of this event can open this page."))
    return event


def _organized_announcement(request, pk: int) -> Announcement:
    announcement = get_object_or_404(Announcement.objects.select_related("event"), pk=pk)
    _organized_event(request, announcement.event.slug)
    return announcement


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("page"))
    rows = [(n, *selectors.notification_text(n)) for n in page]
    return render(request, "communication/notification_list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def notification_read(request, pk: int):
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except Refusal as exc:
        explain(request, exc)
        return redirect("communication:notification_list")
    if request.POST.get("open") and notification.url.startswith("/"):
        return redirect(notification.url)  # written by our own services: a path on this site
    return redirect(next_url(request, "communication:notification_list"))


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect(next_url(request, "communication:notification_list"))


@login_required
def email_preferences(request):
    unwanted = selectors.opted_out_kinds(request.user)
    wanted = [kind for kind in EmailOptOut.Kind.values if kind not in unwanted]
    form = EmailPreferencesForm(request.POST or None, initial={"wanted": wanted})
    if request.method == "POST" and form.is_valid():
        services.email_preferences_set(
            user=request.user, unwanted=set(EmailOptOut.Kind.values) - set(form.cleaned_data["wanted"])
        )
        messages.success(request, _("Your email choices were saved."))
        return redirect("communication:email_preferences")
    return render(request, "communication/email_preferences.html", {"form": form})


@csrf_exempt  # RFC 8058: the mail client posts "List-Unsubscribe=One-Click" without a session or token
def unsubscribe(request, token: str):
    """GET shows a button (a link scanner opening the URL changes nothing); POST unsubscribes, no login."""
    if request.method == "POST":
        try:
            _user, kind = services.unsubscribe_with_token(token=token)
        except Refusal as exc:
            return render(request, "refused.html", {"reason": exc.text}, status=exc.status)
        label = EmailOptOut.Kind(kind).label
        return render(request, "communication/unsubscribed.html", {"label": label})
    if request.method != "GET":
        return render(request, "refused.html", {"reason": _("Open the link, then press the button.")}, status=405)
    return render(request, "communication/unsubscribe.html", {"token": token})


@login_required
@explain_refusals
def event_announcements(request, slug: str):
    event = _organized_event(request, slug)
    form = AnnouncementForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_create(event=event, actor=request.user, **form.service_fields())
        except Refusal as exc:
            add_form_errors(form, exc)
        else:
            if announcement.send_at and announcement.status == Announcement.Status.SCHEDULED:
                messages.success(request, _("The announcement is scheduled."))
            else:
                messages.success(request, _("The announcement is being sent."))
            return redirect("communication:event_announcements", event.slug)
    announcements = selectors.announcements_for(event=event, user=request.user)
    return render(
        request,
        "communication/event_announcements.html",
        {"event": event, "form": form, "announcements": announcements, "is_organizer": True},
    )


@login_required
@explain_refusals
def announcement_detail(request, pk: int):
    """The delivery log: who it reached and what happened to each email."""
    announcement = _organized_announcement(request, pk)
    return render(
        request,
        "communication/announcement_detail.html",
        {
            "event": announcement.event,
            "announcement": announcement,
            "deliveries": selectors.delivery_log(announcement),
            "is_organizer": True,
        },
    )


@login_required
@require_POST
@explain_refusals
def announcement_cancel(request, pk: int):
    announcement = _organized_announcement(request, pk)
    try:
        services.announcement_cancel(announcement=announcement, actor=request.user)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.text) from exc
        explain(request, exc)
    else:
        messages.success(request, _("The announcement was cancelled."))
    return redirect("communication:event_announcements", announcement.event.slug)
