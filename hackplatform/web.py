"""Helpers shared by the HTML views of every app: showing refusals, tying them to forms, CSV answers,
redirects that stay on this site.

The API has its counterpart in `hackplatform.api.exception_handler`; both read `hackplatform.refusals`.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from .refusals import as_refusal

# Cells a spreadsheet reads as a formula (or that hide one behind a control character).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def refusal_text(exc: Exception) -> str:
    """The sentence(s) of a refusal, for a message or a page."""
    return as_refusal(exc).text


def explain_refusals(view):
    """Render a PermissionDenied (or a 403 Refusal) escaping a view as a 403 page that says why."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            refusal = as_refusal(exc)
            return render(request, "refused.html", {"reason": refusal.text}, status=refusal.status)

    return wrapper


def explain(request, exc: Exception) -> None:
    """Show a refusal (Refusal, ValidationError or PermissionDenied) as an error message on the next page."""
    messages.error(request, as_refusal(exc).text)


def add_form_errors(form, exc: ValidationError) -> None:
    """Tie a service's refusal to the form's fields where it names them, else to the whole form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, as_refusal(exc).text)


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: a formula-like start gets a leading quote.

    OWASP's advice for CSV injection: prefix `= + - @`, tab and carriage return with `'`. Numbers are
    written as they are (a negative score is a number, not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(stream, rows: Iterable[Iterable]) -> None:
    """Write rows to a text stream, every cell through `safe_cell`."""
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def csv_response(rows: Iterable[Iterable], filename: str) -> HttpResponse:
    """A CSV download in UTF-8 (no byte-order mark: scripts read these files too), formula-safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, rows)
    return response


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
