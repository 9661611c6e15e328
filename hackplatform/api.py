"""API-wide pieces: the root view and an exception handler that always answers {"detail": ...}."""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import Throttled
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import exception_handler as drf_exception_handler

from .refusals import as_refusal

# The largest id a database row can have (a signed 64-bit integer): a bigger one names nothing.
MAX_ID = 2**63 - 1


def id_param(request, name: str) -> int | None:
    """A whole-number query parameter naming a row (`?challenge=12`): None when absent, 400 when it is
    empty, not a whole number or beyond any id (SQLite cannot even compare such a number)."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    # str.isdigit() alone also accepts "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        raise DRFValidationError(
            {name: [_("The %(name)s filter must be an id (a whole number).") % {"name": name}]}, code="invalid_id"
        )
    return int(raw)


def exception_handler(exc, context):
    """DRF's handler, plus the services' refusals (hackplatform.refusals), always as {"detail", "code"}.

    A Refusal answers its own status (and `resets_at` + `Retry-After` when it ends at a known moment);
    Django's ValidationError answers 400 with its field errors under "errors"; PermissionDenied 403.
    """
    if isinstance(exc, DjangoValidationError | DjangoPermissionDenied):
        refusal = as_refusal(exc)
        body = {"detail": refusal.text, "code": refusal.code}
        if hasattr(refusal, "error_dict"):
            body["errors"] = {
                field: [str(m) for e in errs for m in e.messages] for field, errs in refusal.error_dict.items()
            }
        headers = {}
        if refusal.retry_after is not None:
            body["resets_at"] = refusal.retry_after.isoformat()
            headers["Retry-After"] = http_date(refusal.retry_after.timestamp())
        return Response(body, status=refusal.status, headers=headers)
    if isinstance(exc, OverflowError):
        # A number beyond what the database stores (SQLite raises instead of matching nothing): no such row.
        return Response({"detail": _("No such object: the number is too large."), "code": "not_found"}, status=404)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, Throttled) and response is not None:
        # DRF sets Retry-After from exc.wait; the body says why and when, like every other refusal.
        code = exc.detail.code if getattr(exc.detail, "code", None) not in (None, "throttled") else "throttled"
        detail = str(exc.detail)
        if code == "throttled":
            detail = _("Too many requests. Please wait %(seconds)d seconds before trying again.") % {
                "seconds": math.ceil(exc.wait or 1)
            }
        response.data = {"detail": detail, "code": code}
        return response
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        # Field errors: keep them and add a one-line summary a script can print.
        parts = []
        for field, errors in response.data.items():
            text = " ".join(_messages(errors))
            parts.append(text if field == "non_field_errors" else f"{field}: {text}")
        response.data = {"detail": " ".join(parts), "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(e) for e in response.data)}
    return response


def _messages(errors) -> list[str]:
    """The messages of a field's errors, also those of a nested object (`dataset`) or list, flattened."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request, format=None):
    """The entry point of the REST API v1."""
    return Response(
        {
            "auth_token": reverse("api:auth-token", request=request, format=format),
            "auth_tokens": reverse("api:auth-tokens", request=request, format=format),
            "register": reverse("api:auth-register", request=request, format=format),
            "events": reverse("api:event-list", request=request, format=format),
            "schema": reverse("api:schema", request=request, format=format),
            "docs": reverse("api:docs", request=request, format=format),
        }
    )
