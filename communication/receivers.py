"""What communication does when the lower apps announce something (connected in apps.ready())."""

from __future__ import annotations

from django.template.loader import render_to_string


def on_submission_finished(sender, submission_id: int, status: str, **kwargs) -> None:
    from .services import notify_submission_finished

    notify_submission_finished(submission_id=submission_id, status=status)


def on_results_published(sender, phase_id: int, **kwargs) -> None:
    from .services import notify_results_published

    notify_results_published(phase_id=phase_id)


def announcement_banner(request, event) -> str:
    """challenges.hooks.event_banners: the viewer's unread announcements of this event, until read."""
    from .selectors import unread_announcements

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    unread = unread_announcements(event=event, user=user)
    if not unread:
        return ""
    return render_to_string("communication/_banner.html", {"notifications": unread}, request=request)


def board_link(request, event) -> str:
    """challenges.hooks.event_banners: point the event's registered participants without a team to the board."""
    from challenges.selectors import registration_for, team_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or registration_for(event=event, user=user) is None:
        return ""
    if team_of(event=event, user=user) is not None:
        return ""
    return render_to_string("communication/_board_link.html", {"event": event}, request=request)
