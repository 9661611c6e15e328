"""HTML pages: the notification list, email choices, one-click unsubscribe, the organizers' announcements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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

from . import board, selectors, services
from .forms import AnnouncementForm, BoardProfileForm, EmailPreferencesForm
from .models import Announcement, BoardProfile, EmailOptOut


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


# The team board ---------------------------------------------------------------------------------


def _visible_event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not challenge_selectors.event_visible(request.user, event, None):
        raise Http404(_("No such event."))
    return event


@login_required
@explain_refusals
def event_board(request, slug: str):
    event = _visible_event(request, slug)
    q = request.GET
    try:
        entries = board.board_entries(
            event=event,
            viewer=request.user,
            skill=q.get("skill", ""),
            language=q.get("language", ""),
            country=q.get("country", ""),
        )
    except Refusal as exc:
        raise PermissionDenied(exc.text) from exc
    my_team = challenge_selectors.team_of(event=event, user=request.user)
    context = {
        "event": event,
        "entries": entries,
        "skills": board.skills_of(event),
        "filters": {"skill": q.get("skill", ""), "language": q.get("language", ""), "country": q.get("country", "")},
        "suggestions": board.suggestions_for(event=event, viewer=request.user),
        "requests": board.join_requests_of(event=event, user=request.user),
        "my_team": my_team,
        "is_captain": my_team is not None and my_team.captain_id == request.user.pk,
        "teams": event.teams.filter(is_baseline=False).order_by("name") if my_team is None else [],
        "on_board": any(e.user_id == request.user.pk for e in entries),
        "is_organizer": challenge_selectors.is_organizer(request.user, event),
        "open_seats": board.open_seats_of(event=event, viewer=request.user, skill=q.get("skill", "")),
    }
    return render(request, "communication/event_board.html", context)


@login_required
@require_POST
@explain_refusals
def open_seats(request, slug: str):
    """The captain posts the team's open seats (0 removes the post)."""
    event = _visible_event(request, slug)
    team = challenge_selectors.team_of(event=event, user=request.user)
    if team is None:
        raise PermissionDenied(_("Only the team's captain can post its open seats."))
    try:
        seats = int(request.POST.get("seats") or 0)
    except ValueError:
        seats = -1
    try:
        board.open_seats_set(
            team=team,
            actor=request.user,
            seats=seats,
            skills=request.POST.getlist("skills"),
            note=request.POST.get("note", ""),
        )
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.text) from exc
        explain(request, exc)
    else:
        messages.success(request, _("Your team's open seats were saved."))
    return redirect("communication:event_board", event.slug)


@login_required
@explain_refusals
def board_me(request, slug: str):
    event = _visible_event(request, slug)
    if not board.may_see_board(event=event, user=request.user):
        raise PermissionDenied(_("Register for this event to use its team board."))
    mine = BoardProfile.objects.filter(event=event, user=request.user).first()
    initial = (
        {
            "pitch": mine.pitch,
            "skills": mine.skills,
            "languages": ", ".join(mine.languages),
            "country": mine.country,
            "timezone": mine.time_zone,
        }
        if mine
        else {"timezone": request.user.timezone, "country": str(request.user.country or "")}
    )
    form = BoardProfileForm(request.POST or None, initial=initial, skills=board.skills_of(event))
    if request.method == "POST" and request.POST.get("withdraw"):
        board.board_profile_withdraw(event=event, user=request.user)
        messages.success(request, _("You left the team board."))
        return redirect("communication:event_board", event.slug)
    if request.method == "POST" and form.is_valid():
        try:
            board.board_profile_save(event=event, user=request.user, **form.service_fields())
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.text) from exc
            add_form_errors(form, exc)
        else:
            messages.success(request, _("Your entry on the team board was saved."))
            return redirect("communication:event_board", event.slug)
    return render(request, "communication/board_me.html", {"event": event, "form": form, "mine": mine})


@login_required
@require_POST
@explain_refusals
def board_hide(request, slug: str, pk: int):
    event = _organized_event(request, slug)
    profile = get_object_or_404(BoardProfile, pk=pk, event=event)
    board.board_profile_hide(profile=profile, actor=request.user, hidden=request.POST.get("show") != "1")
    return redirect("communication:event_board", event.slug)


@login_required
@require_POST
@explain_refusals
def skill_add(request, slug: str):
    event = _organized_event(request, slug)
    try:
        board.skill_add(event=event, actor=request.user, name=request.POST.get("name", ""))
    except Refusal as exc:
        explain(request, exc)
    return redirect("communication:event_board", event.slug)


@login_required
@require_POST
@explain_refusals
def join_request_create(request, slug: str):
    from accounts.models import User
    from challenges.models import Team

    event = _visible_event(request, slug)
    team = Team.objects.filter(pk=request.POST.get("team") or 0, event=event).first()
    user = User.objects.filter(username=request.POST.get("user") or "").first()
    try:
        board.join_request_create(
            event=event, actor=request.user, team=team, user=user, message=request.POST.get("message", "")
        )
    except Refusal as exc:
        explain(request, exc)
    else:
        messages.success(request, _("Your request was sent."))
    return redirect("communication:event_board", event.slug)


@login_required
@require_POST
def join_request_answer(request, pk: int, answer: str):
    from .models import JoinRequest

    found = JoinRequest.objects.filter(pk=pk).select_related("event").first()
    try:
        if answer == "accept":
            board.join_request_accept(request_id=pk, actor=request.user)
        elif answer == "decline":
            board.join_request_decline(request_id=pk, actor=request.user)
        else:
            raise Http404(_("No such answer."))
    except Refusal as exc:
        explain(request, exc)
    except ValidationError as exc:  # team_join's refusals (full, locked rosters, terms)
        explain(request, exc)
    if found is not None and board.may_see_board(event=found.event, user=request.user):
        return redirect("communication:event_board", found.event.slug)
    return redirect("communication:notification_list")
