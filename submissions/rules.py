"""The ranking rule of a challenge, in one place: which metric ranks it, in which direction, and which
parameters its scorer receives.

`scoring_params` mixes two audiences. `primary_metric` is the platform's (which metric ranks the
leaderboard); every other key is the scorer's (e.g. hotspot `fractions`). Scoring, leaderboards, pages,
the API and emails all ask this module, so an organizer's override cannot be honoured by one and
ignored (or passed to the scorer, which refuses unknown keys) by another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from challenges.models import Challenge

# Keys of scoring_params that the platform reads and the scorer never sees.
PLATFORM_KEYS = frozenset({"primary_metric"})


@dataclass(frozen=True)
class Ranking:
    metric: str | None
    higher_is_better: bool


def _scorer(kind: str):
    from submissions.scoring import get_scorer

    try:
        return get_scorer(kind)
    except LookupError:  # judged, or a kind no installed scorer provides
        return None


def scorer_only(params: dict[str, Any] | None) -> dict[str, Any] | None:
    """`params` without the platform's keys (None if nothing is left): what a scorer may receive."""
    return {k: v for k, v in (params or {}).items() if k not in PLATFORM_KEYS} or None


def scorer_params(challenge: Challenge) -> dict[str, Any] | None:
    """The parameters the challenge's scorer receives."""
    return scorer_only(challenge.scoring_params)


def metric_names(challenge: Challenge) -> list[str]:
    """Every metric the scorer produces for this challenge, in its order."""
    scorer = _scorer(challenge.kind)
    if scorer is None:
        return []
    names = getattr(scorer, "metric_names", None)
    if names is not None:
        return list(names(scorer_params(challenge)))
    return list(getattr(scorer, "metric_descriptions", {}) or {})


def ranking(challenge: Challenge) -> Ranking:
    """The metric that ranks this challenge (the organizers' override, else the scorer's) and its direction."""
    scorer = _scorer(challenge.kind)
    if scorer is None:
        return Ranking(metric=None, higher_is_better=True)
    override = (challenge.scoring_params or {}).get("primary_metric")
    return Ranking(
        metric=override or scorer.primary_metric,
        higher_is_better=bool(getattr(scorer, "higher_is_better", True)),
    )


def primary_metric(challenge: Challenge) -> str | None:
    return ranking(challenge).metric


def higher_is_better(challenge: Challenge) -> bool:
    return ranking(challenge).higher_is_better


def metric_range(challenge: Challenge, name: str | None) -> tuple[float | None, float | None]:
    """The values metric `name` of this challenge can take, (low, high) with None where unbounded or unknown."""
    scorer = _scorer(challenge.kind)
    reader = getattr(scorer, "metric_range", None)
    if name is None or reader is None:
        return (None, None)
    return tuple(reader(name))  # type: ignore[return-value]


def check_scoring_params(kind: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Validate scoring_params for a kind: the scorer checks its own keys, the platform checks its own.

    Raises ValueError with a sentence naming the problem (forms and the admin show it).
    """
    params = dict(params or {})
    scorer = _scorer(kind)
    if scorer is None:
        if params:
            raise ValueError("this kind of challenge takes no scoring parameters")
        return params
    own = scorer_only(params)
    check = getattr(scorer, "check_params", None)
    if check is not None:
        check(own)
    override = params.get("primary_metric")
    if override is not None:
        names = getattr(scorer, "metric_names", None)
        known = list(names(own)) if names else list(getattr(scorer, "metric_descriptions", {}) or {})
        if override not in known:
            raise ValueError(f"primary_metric must be one of {', '.join(known)}, not {override!r}")
    return params
