"""Show times in the viewer's own zone: their profile's, else the one their browser reported."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

TZ_COOKIE = "tz"


def valid_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class ViewerTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = valid_zone(getattr(user, "timezone", "") if user and user.is_authenticated else "")
        zone = zone or valid_zone(request.COOKIES.get(TZ_COOKIE))
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
