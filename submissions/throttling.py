"""The upload rate per team, one rule for the upload page and the API (on top of the phase's limits)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from challenges.models import Team
from hackplatform.refusals import Refusal
from hackplatform.throttling import RateLimitHeadersMixin, wait_seconds


class TeamUploadThrottle(RateLimitHeadersMixin, SimpleRateThrottle):
    """Counts uploads per team, whichever member sends them and from wherever."""

    scope = "upload"

    def __init__(self, team: Team):
        super().__init__()
        self.team = team

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"team-{self.team.pk}"}


def upload_rate_refusal(*, request, team: Team | None) -> Refusal | None:
    """Count an upload attempt of `team`; a 429 refusal saying when to retry once the rate is exceeded.

    Without a team there is nothing to count: the service refuses the upload with its own reason.
    """
    if team is None:
        return None
    seconds = wait_seconds(TeamUploadThrottle(team), request)
    if seconds is None:
        return None
    return Refusal(
        _("Your team is uploading too fast. Please wait %(seconds)d seconds before the next upload.")
        % {"seconds": seconds},
        code="upload_rate",
        status=429,
        retry_after=timezone.now() + timedelta(seconds=seconds),
    )
