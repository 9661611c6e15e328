"""Leaderboards: rebuilt from the source rows in one transaction per phase, never added to."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from challenges.models import Phase, Team
from hackplatform.locks import lock_row

from .. import rules
from ..models import LeaderboardEntry, Submission

logger = logging.getLogger(__name__)
Status = Submission.Status


def _chosen_submissions(phase: Phase) -> list[dict]:
    """Each team's submission on the leaderboard: one query, the choice made by a window function.

    The same submission stands for the team on both splits, chosen without looking at private scores
    (its best public score, or the one marked final): choosing by the private score would let a team's
    many uploads be selected on the hidden data.
    """
    if phase.leaderboard_mode == Phase.LeaderboardMode.FINAL:
        order = [F("is_final").desc(), F("received_at").desc(), F("id").desc()]
        base = Submission.objects.filter(phase=phase, status=Status.SCORED)
    else:
        best = F("public_score").desc() if rules.higher_is_better(phase.challenge) else F("public_score").asc()
        order = [best, F("received_at").asc(), F("id").asc()]
        base = Submission.objects.filter(phase=phase, status=Status.SCORED, public_score__isnull=False)
    # The window runs over narrow rows (ids only); the wide ones (scores) are read for the winners only.
    winners = base.annotate(choice=Window(RowNumber(), partition_by=[F("team_id")], order_by=order)).filter(choice=1)
    ids = list(winners.values_list("id", flat=True))
    return list(
        Submission.objects.filter(pk__in=ids).values(
            "id",
            "team_id",
            "received_at",
            "public_score",
            "private_score",
            "scores",
            "team__name",
            "team__country",
            "team__is_baseline",
        )
    )


_ENTRY_COLUMNS = (
    "phase_id",
    "split",
    "position",
    "rank",
    "team_id",
    "team_name",
    "team_country",
    "is_baseline",
    "submission_id",
    "score",
    "scores",
    "received_at",
)


def _insert_entries(rows: list[tuple]) -> None:
    """Insert leaderboard rows with executemany: bulk_create spends most of a 5,000-team rebuild preparing
    each of 120,000 values; only the JSON and date columns need the database's preparation here."""
    if not rows:
        return
    meta = LeaderboardEntry._meta
    scores_field, received_field = meta.get_field("scores"), meta.get_field("received_at")
    columns = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in _ENTRY_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_ENTRY_COLUMNS))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})"
    prepared = [
        (
            *row[:10],
            scores_field.get_db_prep_save(row[10], connection),
            received_field.get_db_prep_save(row[11], connection),
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 2000):
            cursor.executemany(sql, prepared[start : start + 2000])


@transaction.atomic
def leaderboard_rebuild(*, phase: Phase) -> int:
    """Rebuild both splits of a phase's leaderboard from the scored submissions (never incremented).

    1. lock the phase row, so rebuilds of one phase run one after the other and each sees the last,
    2. pick each team's submission (see `_chosen_submissions`),
    3. per split: sort by that split's score (best first; the earlier upload wins a tie, then the lower
       id), number every row (`position`) and the competing teams (`rank`; baselines take no rank),
    4. replace the rows and bump `leaderboard_version`: cached pages of the old version are never read again.
    Returns the number of rows written.
    """
    lock_row(Phase, phase.pk)
    chosen = _chosen_submissions(phase)
    sign = -1 if rules.higher_is_better(phase.challenge) else 1
    rows: list[tuple] = []
    for split in ("public", "private"):
        field = f"{split}_score"
        ranked = sorted(
            (s for s in chosen if s[field] is not None),
            key=lambda s, field=field: (sign * s[field], s["received_at"], s["id"]),
        )
        rank = 0
        for position, s in enumerate(ranked, start=1):
            baseline = s["team__is_baseline"]
            if not baseline:
                rank += 1
            rows.append(
                (
                    phase.pk,
                    split,
                    position,
                    None if baseline else rank,
                    s["team_id"],
                    s["team__name"],
                    str(s["team__country"] or ""),
                    baseline,
                    s["id"],
                    s[field],
                    (s["scores"] or {}).get(split) or {},
                    s["received_at"],
                )
            )
    LeaderboardEntry.objects.filter(phase=phase).delete()
    _insert_entries(rows)
    Phase.objects.filter(pk=phase.pk).update(leaderboard_version=F("leaderboard_version") + 1)
    phase.refresh_from_db(fields=["leaderboard_version"])
    return len(rows)


@transaction.atomic(savepoint=False)  # called inside the scoring job's transaction: no savepoint needed
def leaderboard_update_for(*, submission: Submission) -> bool:
    """After `submission` was scored: rebuild the leaderboard, unless it provably cannot change.

    In "best" phases a new score that does not beat the team's current row (a lower score, or an equal
    one uploaded later) changes nothing, and most uploads are like that; the check runs under the same
    phase lock as a rebuild. Returns whether a rebuild ran.
    """
    phase = submission.phase
    lock_row(Phase, phase.pk)
    submission.refresh_from_db(fields=["status", "public_score", "received_at"])
    if phase.leaderboard_mode == Phase.LeaderboardMode.BEST and submission.status == Status.SCORED:
        if submission.public_score is None:
            return False
        current = (
            LeaderboardEntry.objects.filter(phase=phase, split="public", team_id=submission.team_id)
            .values("score", "received_at", "submission_id")
            .first()
        )
        if current is not None and current["submission_id"] != submission.pk:
            sign = -1 if rules.higher_is_better(phase.challenge) else 1
            mine = (sign * submission.public_score, submission.received_at, submission.pk)
            theirs = (sign * current["score"], current["received_at"], current["submission_id"])
            if theirs < mine:
                return False
    leaderboard_rebuild(phase=phase)
    return True


def leaderboards_refresh_for_team(*, team: Team) -> int:
    """Rebuild every leaderboard that lists `team`: its rows hold copies of the team's name and country.

    Phases are rebuilt in id order, so two renames at once take the phase locks in the same order.
    Returns the number of phases rebuilt.
    """
    phases = list(
        Phase.objects.filter(leaderboard_entries__team=team).distinct().select_related("challenge").order_by("pk")
    )
    for phase in phases:
        leaderboard_rebuild(phase=phase)
    return len(phases)
