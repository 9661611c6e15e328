"""Display helpers that services also need to build a sentence (refusals name a time or a size)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def format_moment(moment: datetime | None) -> str:
    """A time as a participant reads it: in the active (viewer's) zone, with the zone and its offset."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + f"{local.tzname()} (UTC{local.strftime('%z')})"
