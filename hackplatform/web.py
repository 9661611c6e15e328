"""Small web helpers shared by the apps' HTML views."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, url: str | None, fallback: str) -> str:
    """`url` if it leads to this site (same host; https when the request is https), else `fallback`.

    Every redirect to an address a visitor can choose (`?next=`, a hidden `next` field) goes through
    here, so none can send them to another site: `https://evil.example/`, `//evil.example`,
    `/\\evil.example` and `javascript:` all fall back.
    """
    url = (url or "").strip()
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


def next_url(request: HttpRequest, fallback: str) -> str:
    """The safe `next` of the request (POST first, then the query string), else `fallback`."""
    return safe_next_url(request, request.POST.get("next") or request.GET.get("next"), fallback)
