"""Reads that need care: which events a user may see, and what role they hold."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Event, EventRole


def events_visible_to(user) -> QuerySet[Event]:
    """Published events for everyone; drafts and invite-only events for their organizers and judges."""
    visible = Q(visibility=Event.Visibility.PUBLISHED)
    if user is not None and user.is_authenticated:
        if user.is_superuser:
            return Event.objects.all()
        visible |= Q(roles__user=user) | Q(registrations__user=user)
    return Event.objects.filter(visible).distinct()


def is_organizer(user, event: Event) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return EventRole.objects.filter(event=event, user=user, role=EventRole.Role.ORGANIZER).exists()
