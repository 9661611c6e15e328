"""The unread count in the header: one COUNT query, only when a template shows it, at most once per page."""

from __future__ import annotations

import functools


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def count() -> int:  # templates call callables: the query runs when the header shows the count
        from .selectors import unread_count

        return unread_count(user)

    return {"unread_notifications": count}
