"""Reads of the submissions app that need care: limits, ownership, leaderboards (fixed query counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from challenges.models import Event, Phase, Team, TeamMembership
from challenges.selectors import events_visible_to, is_organizer

from . import rules
from .models import LeaderboardEntry, Submission

Status = Submission.Status
LEADERBOARD_CACHE_SECONDS = 600


# Limits -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    today_used: int
    total_used: int
    today_left: int | None  # None: no daily limit
    total_left: int | None  # None: no total limit
    resets_at: datetime | None  # when the daily count starts again (next UTC midnight)


def day_start(at: datetime) -> datetime:
    """The daily limit counts from UTC midnight (as Kaggle does): one rule for every team, whatever its zone.
    The reset time is shown to each participant in their own zone."""
    at = at.astimezone(UTC)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def counted_submissions(*, phase: Phase, team: Team) -> QuerySet[Submission]:
    """Submissions that use up the team's limits: not cancelled, not failed by our fault, and failed
    validations only when the phase says they count.

    A submission counts for the team it was made for *and* for the person who uploaded it: those made
    for this team, plus those its current members uploaded in the phase for any other team. So leaving
    a team after uploading brings no fresh allowance to the next one (a subquery, not a join: no row
    is counted twice).
    """
    members = TeamMembership.objects.filter(team=team).values("user_id")
    qs = Submission.objects.filter(Q(team=team) | Q(submitted_by__in=members), phase=phase, counts_toward_limit=True)
    qs = qs.exclude(status=Status.CANCELLED)
    if not phase.failed_count:
        qs = qs.exclude(status=Status.FAILED)
    return qs


def submission_usage(*, phase: Phase, team: Team, at: datetime | None = None) -> Usage:
    """What the team used and may still submit in the phase, in one query."""
    at = at or timezone.now()
    start = day_start(at)
    counts = counted_submissions(phase=phase, team=team).aggregate(
        total=Count("id"), today=Count("id", filter=Q(received_at__gte=start))
    )
    today_left = None if phase.daily_limit is None else max(0, phase.daily_limit - counts["today"])
    total_left = None if phase.total_limit is None else max(0, phase.total_limit - counts["total"])
    if today_left is not None and total_left is not None:
        today_left = min(today_left, total_left)
    return Usage(
        today_used=counts["today"],
        total_used=counts["total"],
        today_left=today_left,
        total_left=total_left,
        resets_at=start + timedelta(days=1) if phase.daily_limit is not None else None,
    )


def phase_remaining(phase: Phase, user: User) -> dict | None:
    """`my_remaining` of the phase detail (registered in challenges.hooks): None when not in a team."""
    membership = (
        TeamMembership.objects.filter(event_id=phase.challenge.event_id, user=user).select_related("team").first()
        if user is not None and user.is_authenticated
        else None
    )
    if membership is None:
        return None
    usage = submission_usage(phase=phase, team=membership.team)
    return {
        "today": usage.today_left,
        "total": usage.total_left,
        "resets_at": timezone.localtime(usage.resets_at) if usage.resets_at else None,
    }


# Ownership --------------------------------------------------------------------------------------


def submission_for_user(*, user: User, pk: int) -> Submission | None:
    """The submission if `user` may see it (a member of its team, or an organizer of its event), else None.

    Another team's submission answers exactly like one that does not exist.
    """
    if user is None or not user.is_authenticated:
        return None
    try:
        submission = Submission.objects.select_related("phase__challenge__event", "team", "submitted_by").get(pk=pk)
    except Submission.DoesNotExist:
        return None
    if TeamMembership.objects.filter(team_id=submission.team_id, user=user).exists():
        return submission
    if is_organizer(user, submission.phase.challenge.event):
        return submission
    return None


def submission_picture_for_user(*, user: User, pk: int) -> Submission | None:
    """The submission whose picture `user` may see: as `submission_for_user`, or anyone an app above
    allows through `submissions.hooks.picture_viewers` (the judges of an entry that stands on it)."""
    submission = submission_for_user(user=user, pk=pk)
    if submission is not None or user is None or not user.is_authenticated:
        return submission
    from . import hooks

    other = Submission.objects.select_related("phase__challenge__event", "team").filter(pk=pk).first()
    if other is not None and any(viewer(user, other) for viewer in hooks.picture_viewers):
        return other
    return None


def phase_for_user(*, user: User | None, pk: int) -> Phase | None:
    """The phase if its event is visible to `user` (published, or theirs), else None."""
    try:  # get(), not first(): no ORDER BY (the models' orderings join three tables)
        phase = Phase.objects.select_related("challenge__event").get(pk=pk)
    except Phase.DoesNotExist:
        return None
    # Published events are visible to everyone: no second query on the hot path (leaderboards).
    if phase.challenge.event.visibility == Event.Visibility.PUBLISHED:
        return phase
    if not events_visible_to(user).filter(pk=phase.challenge.event_id).exists():
        return None
    return phase


def can_see_private(user: User | None, phase: Phase) -> bool:
    return phase.results_published or is_organizer(user, phase.challenge.event)


def truth_overlay_shown(phase: Phase, at: datetime | None = None) -> bool:
    """May pictures of this phase's submissions show the hidden truth (e.g. true incidents per cell)?

    Only once the organizers published this phase's results, and only while no other phase of the
    challenge still takes (or will take) submissions against the same truth without published results:
    otherwise the picture would hand that phase's teams the answer. One query.
    """
    if not phase.results_published:
        return False
    at = at or timezone.now()
    others = Phase.objects.filter(challenge_id=phase.challenge_id, results_published_at__isnull=True).exclude(
        pk=phase.pk
    )
    return not any(other.accepts_until > at for other in others.only("closes_at", "grace_seconds"))


def can_see_leaderboard(user: User | None, phase: Phase, split: str) -> bool:
    """Organizers always; others: the public split while the phase shows it, both once results are published."""
    if phase.results_published:
        return True
    if split == "private":
        return is_organizer(user, phase.challenge.event)
    return phase.public_leaderboard or is_organizer(user, phase.challenge.event)


def team_submissions(*, phase: Phase, team: Team) -> QuerySet[Submission]:
    return Submission.objects.filter(phase=phase, team=team).order_by("-received_at", "-id")


def phase_submissions(*, phase: Phase, status: str = "", team_id: int | None = None) -> QuerySet[Submission]:
    """Every submission of the phase (for its organizers), newest first, optionally of one status or team."""
    qs = Submission.objects.filter(phase=phase).select_related("team").order_by("-received_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs


def phase_submitting_teams(*, phase: Phase) -> QuerySet[Team]:
    """The teams that submitted to the phase, by name (the organizers' team filter)."""
    return Team.objects.filter(submissions__phase=phase).distinct().order_by("name")


def may_list_all_submissions(user: User | None, phase: Phase) -> bool:
    return is_organizer(user, phase.challenge.event)


def submission_download_name(submission: Submission) -> str:
    """The name a downloaded file gets: its id and the participant's own name (path parts dropped)."""
    original = (submission.original_name or "predictions.csv").replace("\\", "/").rsplit("/", 1)[-1]
    original = "".join(ch for ch in original if ch.isprintable() and ch not in "\"';:") or "predictions.csv"
    return f"submission-{submission.pk}-{original}"


def queue_position(submission: Submission) -> int | None:
    """1 for the next one to be scored; None unless queued."""
    if submission.status != Status.QUEUED:
        return None
    return Submission.objects.filter(status=Status.QUEUED, pk__lt=submission.pk).count() + 1


# Leaderboards -----------------------------------------------------------------------------------


def leaderboard_entry_dict(entry: LeaderboardEntry) -> dict:
    return {
        "rank": entry.rank,
        "position": entry.position,
        "team": {"id": entry.team_id, "name": entry.team_name, "country": entry.team_country},
        "is_baseline": entry.is_baseline,
        "score": entry.score,
        "scores": entry.scores,
        "submission": entry.submission_id,
        "submitted_at": timezone.localtime(entry.received_at, UTC).isoformat().replace("+00:00", "Z"),
    }


def leaderboard_page(
    *, phase: Phase, split: str, page: int = 1, page_size: int = 50, country: str = ""
) -> tuple[int, list[dict]]:
    """(count, rows of the page) of a phase's leaderboard: at most two queries, none when cached.

    The cache key holds the phase's leaderboard_version (bumped by every rebuild), so a cached page is
    never stale and per-process caches need no invalidation.
    """
    country = country.upper()[:2]
    if country and not is_country_code(country):
        return 0, []  # no team is from there (and PostgreSQL refuses a NUL character in a query)
    key = f"lb:{phase.pk}:{phase.leaderboard_version}:{split}:{country}:{page}:{page_size}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    qs = LeaderboardEntry.objects.filter(phase=phase, split=split)
    if country:
        qs = qs.filter(team_country=country)
    count = qs.count()
    start = (page - 1) * page_size
    # A page past the end is empty without asking the database: an OFFSET beyond its integer range
    # (?page=9223372036854775809) would be a database error, not an empty page.
    rows = (
        [leaderboard_entry_dict(e) for e in qs.order_by("position")[start : start + page_size]] if start < count else []
    )
    cache.set(key, (count, rows), LEADERBOARD_CACHE_SECONDS)
    return count, rows


def leaderboard_all(*, phase: Phase, split: str, country: str = "") -> QuerySet[LeaderboardEntry]:
    qs = LeaderboardEntry.objects.filter(phase=phase, split=split).order_by("position")
    if country and not is_country_code(country):
        return qs.none()
    return qs.filter(team_country=country.upper()) if country else qs


def is_country_code(text: str) -> bool:
    """Two ASCII letters, in either case: what a team's country can be (django-countries' codes)."""
    return len(text) == 2 and text.isascii() and text.isalpha()


def leaderboard_countries(*, phase: Phase, split: str) -> list[str]:
    return list(
        LeaderboardEntry.objects.filter(phase=phase, split=split)
        .order_by("team_country")
        .values_list("team_country", flat=True)
        .distinct()
    )


def leaderboard_history(
    *, phase: Phase, split: str = "public", top: int = 8
) -> dict[str, list[tuple[datetime, float]]]:
    """The best score over time of the `top` teams of the leaderboard (two queries), for the history chart."""
    field = "public_score" if split == "public" else "private_score"
    entries = list(
        LeaderboardEntry.objects.filter(phase=phase, split=split, is_baseline=False)
        .order_by("position")
        .values_list("team_id", "team_name")[:top]
    )
    names = dict(entries)
    series: dict[str, list[tuple[datetime, float]]] = {name: [] for _, name in entries}
    rows = (
        Submission.objects.filter(phase=phase, team_id__in=names, status=Status.SCORED, **{f"{field}__isnull": False})
        .order_by("received_at", "id")
        .values_list("team_id", "received_at", field)
    )
    sign = 1 if rules.higher_is_better(phase.challenge) else -1  # "best" is the lowest for an error metric
    for team_id, at, score in rows:
        points = series[names[team_id]]
        if not points or sign * score > sign * points[-1][1]:
            points.append((at, score))
    return series


# Dashboards -------------------------------------------------------------------------------------


def submissions_per_day(*, event: Event) -> list[tuple[str, int, int]]:
    """(UTC day, uploads, failed) for the event's phases, one query."""
    rows = (
        Submission.objects.filter(phase__challenge__event=event)
        .annotate(day=TruncDate("received_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("id"), failed=Count("id", filter=Q(status=Status.FAILED)))
        .order_by("day")
    )
    return [(row["day"].isoformat(), row["n"], row["failed"]) for row in rows]


def phase_queue_summary(*, phase: Phase) -> dict:
    """Counts per status and the oldest waiting upload of a phase (organizer view), one query."""
    agg = Submission.objects.filter(phase=phase).aggregate(
        queued=Count("id", filter=Q(status=Status.QUEUED)),
        running=Count("id", filter=Q(status=Status.RUNNING)),
        scored=Count("id", filter=Q(status=Status.SCORED)),
        failed=Count("id", filter=Q(status=Status.FAILED)),
        cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        oldest_waiting=Min("received_at", filter=Q(status__in=[Status.QUEUED, Status.RUNNING])),
        last=Max("received_at"),
    )
    return agg


# What an upload must look like ------------------------------------------------------------------


def submission_format(challenge) -> dict | None:
    """The header a submission to `challenge` must have and one example row, taken from the
    participants' own `sample_submission.csv` (never the truth). None for a kind no scorer knows."""
    import zipfile

    from .scoring import get_scorer

    try:
        scorer = get_scorer(challenge.kind)
    except LookupError:
        return None
    columns = getattr(scorer, "submission_columns", None)
    if not columns:
        return None
    example = ""
    if challenge.public_archive:
        try:
            with challenge.public_archive.open("rb") as handle, zipfile.ZipFile(handle) as archive:
                if "sample_submission.csv" in archive.namelist():
                    with archive.open("sample_submission.csv") as sample:
                        sample.readline()  # the header
                        example = sample.readline(1000).decode("utf-8", "replace").strip()
        except (OSError, zipfile.BadZipFile):
            example = ""
    return {"header": ",".join(columns), "example": example, "gzip": True}
