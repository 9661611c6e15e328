"""Judged results: z-score normalization and ranking (judging.md, "Normalized score"), the blend with an
automatic leaderboard, and judge agreement. Plain Python, no ORM.

For judge j and criterion c, over all scorecards j submitted in the event: mean_jc and the sample standard
deviation sd_jc (n - 1); sd_jc = 1 when j has fewer than two scorecards or sd_jc is 0. Each value becomes
z = (x - mean_jc) / sd_jc. For entry e: z_ec = mean of z over the judges who scored e on c;
normalized_e = sum_c(w_c z_ec) / sum_c(w_c); raw_mean_e = sum_c(w_c mean_x_ec) / sum_c(w_c).
Ranking: normalized descending, then raw_mean descending, then the entry's creation time; entries with no
scorecard come last without a rank.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

METHOD = "zscore"


@dataclass(frozen=True)
class Card:
    entry: Hashable
    judge: Hashable
    scores: Mapping[Hashable, float]  # criterion -> value


@dataclass
class Result:
    entry: Hashable
    rank: int | None
    normalized: float | None
    raw_mean: float | None
    n_scorecards: int


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def sample_sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = _mean(values)
    return math.sqrt(sum((x - mean) ** 2 for x in values) / (len(values) - 1))


def judge_stats(cards: Iterable[Card]) -> dict[tuple[Hashable, Hashable], tuple[float, float]]:
    """(judge, criterion) -> (mean_jc, sd_jc) with the spec's rule for sd (1 when n < 2 or sd is 0)."""
    values: dict[tuple[Hashable, Hashable], list[float]] = defaultdict(list)
    for card in cards:
        for criterion, value in card.scores.items():
            values[(card.judge, criterion)].append(float(value))
    stats = {}
    for key, xs in values.items():
        sd = sample_sd(xs)
        stats[key] = (_mean(xs), sd if len(xs) >= 2 and sd > 0 else 1.0)
    return stats


def normalize(
    *,
    entries: Mapping[Hashable, Any],
    weights: Mapping[Hashable, float],
    cards: Iterable[Card],
) -> list[Result]:
    """Rank `entries` ({entry: creation time, or any sortable tie-break}) from the scorecards.

    `weights` are the criteria's weights; a criterion missing from a card is left out of that entry's
    sums (a full scorecard has every criterion).
    """
    cards = [c for c in cards if c.entry in entries]
    stats = judge_stats(cards)
    z: dict[tuple[Hashable, Hashable], list[float]] = defaultdict(list)
    x: dict[tuple[Hashable, Hashable], list[float]] = defaultdict(list)
    count: dict[Hashable, int] = defaultdict(int)
    for card in cards:
        count[card.entry] += 1
        for criterion, value in card.scores.items():
            if criterion not in weights:
                continue
            mean, sd = stats[(card.judge, criterion)]
            z[(card.entry, criterion)].append((float(value) - mean) / sd)
            x[(card.entry, criterion)].append(float(value))
    scored, unscored = [], []
    for entry, created in entries.items():
        criteria = [c for c in weights if (entry, c) in z]
        total = sum(weights[c] for c in criteria)
        if not criteria or total <= 0:
            unscored.append((created, entry))
            continue
        normalized = sum(weights[c] * _mean(z[(entry, c)]) for c in criteria) / total
        raw = sum(weights[c] * _mean(x[(entry, c)]) for c in criteria) / total
        scored.append((normalized, raw, created, entry))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    results = [
        Result(entry=entry, rank=i, normalized=normalized, raw_mean=raw, n_scorecards=count[entry])
        for i, (normalized, raw, _created, entry) in enumerate(scored, start=1)
    ]
    unscored.sort(key=lambda item: item[0])
    results += [Result(entry=e, rank=None, normalized=None, raw_mean=None, n_scorecards=0) for _c, e in unscored]
    return results


def weighted_card_score(card: Card, weights: Mapping[Hashable, float]) -> float | None:
    """A card's raw weighted mean over its criteria."""
    criteria = [c for c in card.scores if c in weights]
    total = sum(weights[c] for c in criteria)
    if not criteria or total <= 0:
        return None
    return sum(weights[c] * float(card.scores[c]) for c in criteria) / total


# The blend with an automatic leaderboard ---------------------------------------------------------


def rank_score(rank: int | None, n: int) -> float:
    """A rank as a score in [0, 1]: (n - rank) / (n - 1), 1 for the first, 0 for the last or unranked."""
    if rank is None or n <= 0:
        return 0.0
    if n == 1:
        return 1.0
    return (n - rank) / (n - 1)


def blend(
    *,
    judged_ranks: Mapping[Hashable, int | None],
    board_ranks: Mapping[Hashable, int | None],
    judged_weight: float,
    board_weight: float,
) -> list[tuple[Hashable, float, int]]:
    """Final ranking of one challenge's entries: (entry, score, rank), best first.

    score = (judged_weight * R(judged_rank) + board_weight * R(board_rank)) / (judged_weight + board_weight),
    with R = `rank_score` over the entries ranked on each side (an entry absent from a side scores 0 there).
    Ties go to the better judged rank, then to the entry's key order.
    """
    total = judged_weight + board_weight
    if total <= 0:
        judged_weight, total = 1.0, 1.0
    n_judged = sum(1 for r in judged_ranks.values() if r is not None)
    n_board = sum(1 for r in board_ranks.values() if r is not None)
    rows = []
    for entry in judged_ranks:
        score = (
            judged_weight * rank_score(judged_ranks.get(entry), n_judged)
            + board_weight * rank_score(board_ranks.get(entry), n_board)
        ) / total
        judged = judged_ranks.get(entry)
        rows.append((-score, judged if judged is not None else math.inf, repr(entry), entry, score))
    rows.sort(key=lambda row: row[:3])
    return [(row[3], row[4], i) for i, row in enumerate(rows, start=1)]


# Judge agreement ---------------------------------------------------------------------------------


def kendall_tau(a: list[float], b: list[float]) -> float | None:
    """Kendall's tau-b between two paired lists (ties counted as in tau-b); None below 2 pairs or when
    either list is constant."""
    n = len(a)
    if n < 2:
        return None
    concordant = discordant = ties_a = ties_b = 0
    for i in range(n):
        for k in range(i + 1, n):
            da, db = a[i] - a[k], b[i] - b[k]
            if da == 0 and db == 0:
                continue
            if da == 0:
                ties_a += 1
            elif db == 0:
                ties_b += 1
            elif (da > 0) == (db > 0):
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b))
    if denominator == 0:
        return None
    return (concordant - discordant) / denominator


@dataclass
class JudgeAgreement:
    judge: Hashable
    n_scorecards: int
    leniency: float | None  # mean of (the judge's weighted score - the entry's raw mean over all judges)
    spread: float | None  # sample standard deviation of the judge's weighted scores
    tau: float | None  # Kendall tau between the judge's order and the consensus (normalized) on their entries
    flagged: bool


# A judge whose order agrees this little with the consensus (or less) is flagged, when they scored at
# least MIN_SHARED entries: tau at or below 0 means they order as many pairs against the jury as with it.
TAU_FLAG = 0.0
MIN_SHARED = 3


def agreement(
    *, cards: Iterable[Card], weights: Mapping[Hashable, float], results: Iterable[Result]
) -> list[JudgeAgreement]:
    cards = list(cards)
    by_entry = {r.entry: r for r in results}
    per_judge: dict[Hashable, list[tuple[Hashable, float]]] = defaultdict(list)
    for card in cards:
        score = weighted_card_score(card, weights)
        if score is not None:
            per_judge[card.judge].append((card.entry, score))
    rows = []
    for judge in sorted(per_judge, key=repr):
        items = per_judge[judge]
        offsets = [s - by_entry[e].raw_mean for e, s in items if e in by_entry and by_entry[e].raw_mean is not None]
        shared = [(s, by_entry[e].normalized) for e, s in items if e in by_entry and by_entry[e].normalized is not None]
        tau = kendall_tau([s for s, _ in shared], [n for _, n in shared]) if len(shared) >= 2 else None
        rows.append(
            JudgeAgreement(
                judge=judge,
                n_scorecards=len(items),
                leniency=_mean(offsets) if offsets else None,
                spread=sample_sd([s for _, s in items]) if len(items) >= 2 else None,
                tau=tau,
                flagged=tau is not None and len(shared) >= MIN_SHARED and tau <= TAU_FLAG,
            )
        )
    return rows
