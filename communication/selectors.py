"""Reads: a person's notifications and their words, who an announcement reaches, the delivery log."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language

from accounts.models import User
from challenges.models import Event, EventRole, Registration, TeamMembership
from challenges.selectors import is_organizer, registration_for
from hackplatform.formats import format_moment
from submissions.models import Submission

from .models import Announcement, Delivery, EmailOptOut, Notification
from .texts import BODIES, TITLES


def notifications_of(user: User) -> QuerySet[Notification]:
    """The caller's notifications, newest first, with what rendering them needs (one query)."""
    return Notification.objects.filter(user=user).select_related("announcement__event").order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _moments(params: dict) -> dict:
    """Times stored as ISO text, shown in the reader's (active) time zone with its offset."""
    shown = dict(params)
    for key, value in params.items():
        if key == "moment" and isinstance(value, str):
            moment = parse_datetime(value)
            if isinstance(moment, datetime):
                shown[key] = format_moment(moment)
    return shown


def notification_text(notification: Notification) -> tuple[str, str]:
    """(title, body) in the active language and time zone; an announcement's body is its Markdown."""
    if notification.announcement_id is not None:
        return notification.announcement.text_in(get_language())
    params = _moments(notification.params or {})
    if notification.code == "scoring_alert":
        from submissions.texts import ERRORS

        params["reason"] = ERRORS.render(params.get("error_code", ""), params.get("error_params") or {})
    return TITLES.render(notification.code, params), BODIES.render(notification.code, params)


def unread_announcements(*, event: Event, user: User) -> list[Notification]:
    if not user.is_authenticated:
        return []
    return list(
        Notification.objects.filter(
            user=user, event=event, kind=Notification.Kind.ANNOUNCEMENT, read_at__isnull=True
        ).select_related("announcement__event")[:5]
    )


def announcement_recipients(announcement: Announcement) -> QuerySet[User]:
    """Who an announcement reaches, decided when it is sent (a person registered later is not written to).

    - everyone: the event's registered participants;
    - challenge: members of the teams that submitted to the challenge (teams are per event; a team
      belongs to a challenge by taking part in it);
    - not_submitted: registered participants whose team has no submission in the event (or in the
      chosen challenge), including those without a team;
    - judges: the event's judges.
    """
    event = announcement.event
    Audience = Announcement.Audience
    if announcement.audience == Audience.JUDGES:
        ids = EventRole.objects.filter(event=event, role=EventRole.Role.JUDGE).values("user_id")
        return User.objects.filter(pk__in=ids, is_active=True)
    submitted = Submission.objects.filter(phase__challenge__event=event)
    if announcement.challenge_id is not None:
        submitted = submitted.filter(phase__challenge_id=announcement.challenge_id)
    teams_that_submitted = submitted.values("team_id")
    registered = Registration.objects.filter(event=event).values("user_id")
    if announcement.audience == Audience.CHALLENGE:
        members = TeamMembership.objects.filter(event=event, team_id__in=teams_that_submitted).values("user_id")
        return User.objects.filter(pk__in=members, is_active=True).filter(pk__in=registered)
    if announcement.audience == Audience.NOT_SUBMITTED:
        members = TeamMembership.objects.filter(event=event, team_id__in=teams_that_submitted).values("user_id")
        return User.objects.filter(pk__in=registered, is_active=True).exclude(pk__in=members)
    return User.objects.filter(pk__in=registered, is_active=True)


def announcements_for(*, event: Event, user: User) -> QuerySet[Announcement]:
    """Organizers see all of the event's announcements; anyone else those sent to them."""
    qs = Announcement.objects.filter(event=event).select_related("challenge")
    if is_organizer(user, event):
        return qs.annotate(
            recipients=Count("deliveries"),
            emailed=Count("deliveries", filter=Q(deliveries__email=Delivery.Email.SENT)),
            email_failed=Count("deliveries", filter=Q(deliveries__email=Delivery.Email.FAILED)),
        )
    return qs.filter(Exists(Delivery.objects.filter(announcement=OuterRef("pk"), user=user)))


def may_read_announcements(*, event: Event, user: User) -> bool:
    if not user.is_authenticated:
        return False
    if is_organizer(user, event):
        return True
    if EventRole.objects.filter(event=event, user=user).exists():
        return True
    return registration_for(event=event, user=user) is not None


def delivery_log(announcement: Announcement) -> QuerySet[Delivery]:
    return announcement.deliveries.select_related("user").order_by("id")


def opted_out_kinds(user: User) -> set[str]:
    return set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))


def platform_failures(*, event: Event, limit: int = 20) -> list[Submission]:
    """The event's submissions that failed for a reason on the platform's side (no answer key, an internal
    error, the worker gave up) and still stand failed: the organizers' dashboard alert."""
    from submissions.texts import PLATFORM_ERRORS

    return list(
        Submission.objects.filter(
            phase__challenge__event=event, status=Submission.Status.FAILED, error_code__in=PLATFORM_ERRORS
        )
        .select_related("team", "phase__challenge")
        .order_by("-scored_at", "-id")[:limit]
    )
