"""What communication does when the lower apps announce something (connected in apps.ready())."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import get_language


def on_submission_finished(sender, submission_id: int, status: str, **kwargs) -> None:
    from .services import notify_submission_finished

    notify_submission_finished(submission_id=submission_id, status=status)


def on_results_published(sender, phase_id: int, **kwargs) -> None:
    from .services import notify_results_published

    notify_results_published(phase_id=phase_id)


def on_judges_assigned(sender, event_id: int, batch: str, entries: dict, **kwargs) -> None:
    from .services import notify_judges_assigned

    notify_judges_assigned(event_id=event_id, batch=batch, entries=entries)


def scoring_alerts_panel(request, event) -> str:
    """challenges.hooks.dashboard_panels: submissions of the event that failed for a reason on the platform's
    side and were not re-scored since (the organizers were also notified and emailed)."""
    from .selectors import platform_failures

    failures = platform_failures(event=event)
    if not failures:
        return ""
    return render_to_string("communication/_scoring_alerts.html", {"failures": failures}, request=request)


def announcement_banner(request, event) -> str:
    """challenges.hooks.event_banners: the viewer's unread announcements of this event, until read."""
    from .selectors import unread_announcements

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    unread = unread_announcements(event=event, user=user)
    if not unread:
        return ""
    # Each in the reader's language when the organizers wrote that translation, else the original.
    shown = [(n, *n.announcement.text_in(get_language())) for n in unread]
    return render_to_string("communication/_banner.html", {"shown": shown}, request=request)


def board_link(request, event) -> str:
    """challenges.hooks.event_banners: point the event's registered participants without a team to the board."""
    from challenges.selectors import registration_for, team_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or registration_for(event=event, user=user) is None:
        return ""
    if team_of(event=event, user=user) is not None:
        return ""
    return render_to_string("communication/_board_link.html", {"event": event}, request=request)
