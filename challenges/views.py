from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Event
from .selectors import events_visible_to


def home(request):
    events = events_visible_to(request.user).order_by("-created_at")[:12]
    return render(request, "home.html", {"events": events})


def event_list(request):
    return render(request, "challenges/event_list.html", {"events": events_visible_to(request.user)})


def _get_visible_event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    token = request.GET.get("invite")
    if event.visibility == Event.Visibility.INVITE_ONLY and token and token == event.invite_token:
        return event
    if not events_visible_to(request.user).filter(pk=event.pk).exists():
        raise Http404("No such event.")
    return event


def event_detail(request, slug):
    event = _get_visible_event(request, slug)
    return render(request, "challenges/event_detail.html", {"event": event, "challenges": event.challenges.all()})


def challenge_detail(request, slug, challenge_slug):
    event = _get_visible_event(request, slug)
    challenge = get_object_or_404(event.challenges, slug=challenge_slug)
    return render(
        request, "challenges/challenge_detail.html", {"event": event, "challenge": challenge, "phases": challenge.phases.all()}
    )
