"""Reads of judging: settings, who may see an entry, conflicts, a judge's queue, results and agreement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from challenges.models import Challenge, Event, EventRole, Phase, TeamMembership
from challenges.selectors import event_visible, is_organizer
from submissions.models import LeaderboardEntry

from . import normalize
from .models import Assignment, Conflict, Criterion, Entry, EntryImage, JudgingSettings, Prize, Scorecard


def judging_settings(event: Event) -> JudgingSettings:
    """The event's judging settings; the defaults (unsaved) when the organizers never changed them."""
    found = JudgingSettings.objects.filter(event=event).first()
    return found if found is not None else JudgingSettings(event=event)


def is_judge(user: User | None, event: Event) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return EventRole.objects.filter(event=event, user=user, role=EventRole.Role.JUDGE).exists()


def judges_of(event: Event) -> QuerySet[User]:
    return User.objects.filter(event_roles__event=event, event_roles__role=EventRole.Role.JUDGE).order_by("username")


def entry_deadline(challenge: Challenge) -> datetime | None:
    """The last moment entries of `challenge` may change: the end of its last phase (grace included)."""
    phases = list(Phase.objects.filter(challenge=challenge))
    if not phases:
        return None
    return max(phase.accepts_until for phase in phases)


def entry_is_open(entry: Entry, at: datetime | None = None) -> bool:
    deadline = entry_deadline(entry.challenge)
    return entry.reopened or (deadline is not None and (at or timezone.now()) < deadline)


def conflict_reason(*, judge: User, entry: Entry) -> str | None:
    """Why `judge` may not judge `entry` (their own team, a declared team or country), or None."""
    team = entry.team
    if TeamMembership.objects.filter(team=team, user=judge).exists():
        return _("You are a member of this team.")
    conflicts = Conflict.objects.filter(event_id=entry.event_id, judge=judge)
    if conflicts.filter(team=team).exists():
        return _("You declared a conflict with this team.")
    if team.country and conflicts.filter(country=team.country.code).exists():
        return _("You declared a conflict with the teams of %(country)s.") % {"country": team.country.name}
    return None


def conflict_pairs(event: Event, entries: list[Entry], judges: list[User]) -> set[tuple[int, int]]:
    """(judge id, entry id) pairs that may not meet: membership, declared teams, declared countries."""
    pairs = set()
    judge_ids = {j.pk for j in judges}
    members = TeamMembership.objects.filter(event=event, user_id__in=judge_ids).values_list("user_id", "team_id")
    declared = list(
        Conflict.objects.filter(event=event, judge_id__in=judge_ids).values_list("judge_id", "team_id", "country")
    )
    for entry in entries:
        for judge_id, team_id in members:
            if team_id == entry.team_id:
                pairs.add((judge_id, entry.pk))
        for judge_id, team_id, country in declared:
            if (team_id and team_id == entry.team_id) or (country and country == entry.team.country.code):
                pairs.add((judge_id, entry.pk))
    return pairs


def can_see_entry(user: User | None, entry: Entry) -> bool:
    """Organizers; the team's members; the judges assigned to it; everyone who sees the event once the
    results are published."""
    event = entry.event
    if is_organizer(user, event):
        return True
    if user is not None and user.is_authenticated:
        if TeamMembership.objects.filter(team_id=entry.team_id, user=user).exists():
            return True
        if Assignment.objects.filter(entry=entry, judge=user).exists():
            return True
    return judging_settings(event).published and event_visible(user, event)


def entry_for_user(user: User | None, pk: int) -> Entry | None:
    entry = Entry.objects.select_related("event", "team", "challenge", "submission").filter(pk=pk).first()
    if entry is None or not can_see_entry(user, entry):
        return None
    return entry


def entries_with_images() -> QuerySet[Entry]:
    return Entry.objects.select_related("event", "team", "challenge", "submission").prefetch_related(
        Prefetch("images", queryset=EntryImage.objects.order_by("order", "id"))
    )


def entries_visible_to(user: User | None, event: Event) -> QuerySet[Entry]:
    entries = entries_with_images().filter(event=event)
    if is_organizer(user, event) or judging_settings(event).published:
        return entries
    if user is None or not user.is_authenticated:
        return entries.none()
    teams = TeamMembership.objects.filter(event=event, user=user).values("team_id")
    return entries.filter(Q(team_id__in=teams) | Q(assignments__judge=user)).distinct()


def hides_teams_from(user: User | None, event: Event) -> bool:
    """Anonymous judging: a judge (not an organizer) sees no team names or countries."""
    return judging_settings(event).anonymous and not is_organizer(user, event) and is_judge(user, event)


@dataclass
class QueueItem:
    entry: Entry
    scorecard: Scorecard | None


def judge_queue(*, event: Event, judge: User) -> list[QueueItem]:
    entries = entries_with_images().filter(event=event, assignments__judge=judge).order_by("challenge__order", "id")
    cards = {s.entry_id: s for s in Scorecard.objects.filter(entry__event=event, judge=judge)}
    return [QueueItem(entry=e, scorecard=cards.get(e.pk)) for e in entries]


def criteria_of(event: Event) -> list[Criterion]:
    return list(Criterion.objects.filter(event=event).order_by("order", "id"))


# Results ------------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    rank: int | None
    entry: Entry
    raw_mean: float | None
    normalized: float | None
    n_scorecards: int


def _cards(event: Event) -> list[normalize.Card]:
    return [
        normalize.Card(entry=entry_id, judge=judge_id, scores={int(k): v for k, v in scores.items()})
        for entry_id, judge_id, scores in Scorecard.objects.filter(entry__event=event).values_list(
            "entry_id", "judge_id", "scores"
        )
    ]


def results(event: Event) -> list[ResultRow]:
    """Every entry of the event, ranked as judging.md says (unscored ones last, without a rank)."""
    weights = {c.pk: c.weight for c in criteria_of(event)}
    entries = {e.pk: e for e in Entry.objects.filter(event=event).select_related("team", "challenge", "submission")}
    ranked = normalize.normalize(
        entries={pk: (e.created_at, e.pk) for pk, e in entries.items()}, weights=weights, cards=_cards(event)
    )
    return [
        ResultRow(
            rank=r.rank,
            entry=entries[r.entry],
            raw_mean=r.raw_mean,
            normalized=r.normalized,
            n_scorecards=r.n_scorecards,
        )
        for r in ranked
    ]


def _board_ranks(challenge: Challenge) -> dict[int, int | None]:
    """team id -> rank on the challenge's last phase's leaderboard (private split once published)."""
    phase = Phase.objects.filter(challenge=challenge).order_by("-closes_at").first()
    if phase is None:
        return {}
    split = LeaderboardEntry.Split.PRIVATE if phase.results_published else LeaderboardEntry.Split.PUBLIC
    return dict(LeaderboardEntry.objects.filter(phase=phase, split=split).values_list("team_id", "rank"))


@dataclass
class ChallengeResults:
    challenge: Challenge
    rows: list[dict]  # {"rank", "entry", "judged_rank", "board_rank", "score", "result"}
    blended: bool


def challenge_results(event: Event, rows: list[ResultRow] | None = None) -> list[ChallengeResults]:
    """Per challenge: the final ranking. Judged challenges: the judges' order. Scored challenges: the blend
    of the judges' rank and the leaderboard's rank (docs/judging.md) with the event's weights."""
    rows = results(event) if rows is None else rows
    settings = judging_settings(event)
    out = []
    for challenge in Challenge.objects.filter(event=event).order_by("order", "id"):
        mine = [r for r in rows if r.entry.challenge_id == challenge.pk]
        if not mine:
            continue
        ranked = [r for r in mine if r.rank is not None]
        judged_rank = {r.entry.pk: i for i, r in enumerate(ranked, start=1)}
        by_pk = {r.entry.pk: r for r in mine}
        if challenge.is_scored:
            teams = _board_ranks(challenge)
            board = {r.entry.pk: teams.get(r.entry.team_id) for r in mine}
            order = normalize.blend(
                judged_ranks={r.entry.pk: judged_rank.get(r.entry.pk) for r in mine},
                board_ranks=board,
                judged_weight=settings.judged_weight,
                board_weight=settings.leaderboard_weight,
            )
            table = [
                {
                    "rank": rank,
                    "entry": by_pk[pk].entry,
                    "judged_rank": judged_rank.get(pk),
                    "board_rank": board.get(pk),
                    "score": score,
                    "result": by_pk[pk],
                }
                for pk, score, rank in order
            ]
            out.append(ChallengeResults(challenge=challenge, rows=table, blended=True))
        else:
            table = [
                {
                    "rank": judged_rank.get(r.entry.pk),
                    "entry": r.entry,
                    "judged_rank": judged_rank.get(r.entry.pk),
                    "board_rank": None,
                    "score": r.normalized,
                    "result": r,
                }
                for r in mine
            ]
            out.append(ChallengeResults(challenge=challenge, rows=table, blended=False))
    return out


def judge_agreement(event: Event, rows: list[ResultRow] | None = None) -> list[dict]:
    rows = results(event) if rows is None else rows
    weights = {c.pk: c.weight for c in criteria_of(event)}
    ranked = [
        normalize.Result(
            entry=r.entry.pk, rank=r.rank, normalized=r.normalized, raw_mean=r.raw_mean, n_scorecards=r.n_scorecards
        )
        for r in rows
    ]
    judges = {u.pk: u for u in User.objects.filter(pk__in={c.judge for c in _cards(event)})}
    return [
        {"judge": judges[a.judge], "stats": a}
        for a in normalize.agreement(cards=_cards(event), weights=weights, results=ranked)
    ]


def assignment_overview(event: Event) -> dict:
    """For the organizers' assignment page: each judge with their load and progress, each entry with its judges."""
    judges = list(judges_of(event))
    loads = dict(
        Assignment.objects.filter(event=event).values("judge_id").annotate(n=Count("id")).values_list("judge_id", "n")
    )
    done = dict(
        Scorecard.objects.filter(entry__event=event)
        .values("judge_id")
        .annotate(n=Count("id"))
        .values_list("judge_id", "n")
    )
    entries = list(
        Entry.objects.filter(event=event)
        .select_related("team", "challenge")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("judge")))
        .order_by("challenge__order", "id")
    )
    return {
        "judges": [{"user": j, "load": loads.get(j.pk, 0), "done": done.get(j.pk, 0)} for j in judges],
        "entries": entries,
    }


def prizes_of(event: Event) -> QuerySet[Prize]:
    return Prize.objects.filter(event=event).select_related("challenge", "winner__team").order_by("order", "id")


# CSV ------------------------------------------------------------------------------------------------


def results_csv_rows(event: Event) -> list[list]:
    rows = [["rank", "entry_id", "title", "challenge", "team", "country", "normalized", "raw_mean", "n_scorecards"]]
    for r in results(event):
        rows.append(
            [
                r.rank,
                r.entry.pk,
                r.entry.title,
                r.entry.challenge.slug,
                r.entry.team.name,
                str(r.entry.team.country),
                r.normalized,
                r.raw_mean,
                r.n_scorecards,
            ]
        )
    return rows


def scorecard_csv_rows(event: Event) -> list[list]:
    criteria = criteria_of(event)
    rows = [
        ["entry_id", "title", "team", "judge", *[c.name for c in criteria], "comment", "submitted_at", "updated_at"]
    ]
    cards = (
        Scorecard.objects.filter(entry__event=event)
        .select_related("entry__team", "judge")
        .order_by("entry_id", "judge__username")
    )
    for card in cards:
        rows.append(
            [
                card.entry_id,
                card.entry.title,
                card.entry.team.name,
                card.judge.username,
                *[card.scores.get(str(c.pk)) for c in criteria],
                card.comment,
                card.submitted_at.isoformat(),
                card.updated_at.isoformat(),
            ]
        )
    return rows
