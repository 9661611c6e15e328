"""Per-viewer settings: times in the viewer's own zone; the language they use, remembered for their mail."""

from __future__ import annotations

import zoneinfo
from urllib.parse import unquote

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
        # site.js writes the browser's zone URL-encoded ("America%2FSao_Paulo"); read it either way.
        zone = zone or valid_zone(unquote(request.COOKIES.get(TZ_COOKIE) or ""))
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class UserLanguageMiddleware:
    """Remember the language a signed-in person uses, so mail written to them later is in it.

    One UPDATE when it changes (never on every request), after LocaleMiddleware chose the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(request, "LANGUAGE_CODE", "")
        if user is not None and user.is_authenticated and language and user.language != language:
            from django.conf import settings
            from django.contrib.auth import get_user_model

            if language in dict(settings.LANGUAGES):
                get_user_model().objects.filter(pk=user.pk).update(language=language)
                user.language = language
        return self.get_response(request)


class RateLimitHeadersMiddleware:
    """Sends the `RateLimit-*` headers the throttles noted for this request (hackplatform.throttling):
    one place for every throttled API view and page, the 429 answers included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .throttling import rate_limit_headers

        response = self.get_response(request)
        for name, value in rate_limit_headers(request).items():
            response.headers.setdefault(name, value)
        return response
