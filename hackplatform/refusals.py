"""One refusal type for the whole site: a message a person understands, a short code, an HTTP status.

Services raise `Refusal` whenever they say no (a closed phase, a limit reached, a forbidden action).
The API's exception handler (`hackplatform.api.exception_handler`) answers it as
`{"detail": message, "code": code}` with its status (plus `resets_at` and a `Retry-After` header when
the refusal ends at a known moment); pages show it with `hackplatform.web.explain`. Django's own
`ValidationError` and `PermissionDenied` are read the same way (400 and 403), so a service that
raises them is rendered alike, but new code raises `Refusal`.

It subclasses `ValidationError`, so forms and older callers that catch that keep working.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError


class Refusal(ValidationError):
    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int = 400,
        retry_after: datetime | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.retry_after = retry_after

    @property
    def text(self) -> str:
        return " ".join(self.messages)


def as_refusal(exc: Exception) -> Refusal:
    """Any refusal-like exception as a Refusal: Django's ValidationError (400) and PermissionDenied (403)."""
    if isinstance(exc, Refusal):
        return exc
    if isinstance(exc, PermissionDenied):
        from django.utils.translation import gettext as _

        return Refusal(str(exc) or _("You do not have permission to do this."), code="forbidden", status=403)
    if isinstance(exc, ValidationError):
        refusal = Refusal(" ".join(exc.messages), code=getattr(exc, "code", None) or "invalid", status=400)
        if hasattr(exc, "error_dict"):
            refusal.error_dict = exc.error_dict
        return refusal
    raise TypeError(f"not a refusal: {exc!r}")
