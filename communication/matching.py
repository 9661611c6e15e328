"""The suggested-teammates rule: plain Python (no ORM), so it is tested and read on its own.

For a participant (`mine`) and another board member (`theirs`), each a dict with `skills`, `languages`
and `timezone`:

    score = 2 × (skills they have that I lack)
          + (hours our working days, 09:00–18:00 in each one's zone, overlap on the given date) / 3
          + 1 if we share a language

Nobody is suggested who shares no language with me when both of us listed languages (they could not
work together), nor anyone who adds no skill I lack. Ties go to more overlapping hours, then to the
earlier board entry. docs/communication.md states the same rule.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

WORK_START, WORK_END = time(9), time(18)


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def working_overlap_hours(zone_a: str | None, zone_b: str | None, on: date) -> float:
    """Hours both people are inside their 09:00–18:00 on `on` (each in their own zone)."""
    a, b = _zone(zone_a), _zone(zone_b)
    a_start, a_end = datetime.combine(on, WORK_START, a), datetime.combine(on, WORK_END, a)
    best = timedelta(0)
    for shift in (-1, 0, 1):  # b's working day may fall on a's previous or next calendar day
        day = on + timedelta(days=shift)
        b_start, b_end = datetime.combine(day, WORK_START, b), datetime.combine(day, WORK_END, b)
        overlap = min(a_end, b_end) - max(a_start, b_start)
        best = max(best, overlap)
    return round(best.total_seconds() / 3600, 2)


def suggestion_score(mine: dict, theirs: dict, on: date) -> float | None:
    """The score of `theirs` for `mine`, or None when they are not suggested (see the module's rule)."""
    mine_skills = {s.casefold() for s in mine.get("skills") or []}
    new_skills = {s.casefold() for s in theirs.get("skills") or []} - mine_skills
    if not new_skills:
        return None
    my_languages = {lang.casefold() for lang in mine.get("languages") or []}
    their_languages = {lang.casefold() for lang in theirs.get("languages") or []}
    shared = my_languages & their_languages
    if my_languages and their_languages and not shared:
        return None
    overlap = working_overlap_hours(mine.get("timezone"), theirs.get("timezone"), on)
    return 2 * len(new_skills) + overlap / 3 + (1 if shared else 0)


def rank(mine: dict, others: list[dict], on: date) -> list[tuple[float, dict]]:
    """Others with a score, best first (ties: more overlapping hours, then board order)."""
    scored = []
    for index, theirs in enumerate(others):
        score = suggestion_score(mine, theirs, on)
        if score is not None:
            overlap = working_overlap_hours(mine.get("timezone"), theirs.get("timezone"), on)
            scored.append((-score, -overlap, index, theirs))
    scored.sort(key=lambda row: row[:3])
    return [(-row[0], row[3]) for row in scored]
