"""Extension points that let other apps add to challenges' pages and API without a reverse import.

Imports run one way: `submissions` imports `challenges`, never the reverse. Where challenges must show
something only submissions knows (remaining submissions, charts of submissions, checking an uploaded
truth file against a scorer), submissions registers a callable here from its AppConfig.ready():

    # submissions/apps.py
    def ready(self):
        from challenges import hooks
        hooks.phase_remaining_provider.register(my_remaining)      # (phase, user) -> dict | None
        hooks.dashboard_panels.append(submissions_over_time_panel)  # (request, event) -> str (safe HTML)
        hooks.truth_validator.register(validate_uploaded_truth)    # (kind, fileobj, params) -> None
        hooks.ranking_rule.register(primary_metric_of)             # (challenge) -> str | None
        hooks.team_changed.connect(refresh_copies, dispatch_uid="...")  # Django signal: (team, changed)
        hooks.results_published.connect(notify, dispatch_uid="...")     # Django signal: (phase_id)
        hooks.judges_assigned.connect(notify, dispatch_uid="...")       # Django signal: (event_id, batch, entries)
        hooks.event_banners.append(unread_announcements)                 # (request, event) -> str (safe HTML)

With nothing registered, each hook answers its documented default, so challenges works on its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import IO, Any, Generic, TypeVar

from django.dispatch import Signal

F = TypeVar("F", bound=Callable[..., Any])


class SingleHook(Generic[F]):
    """One replaceable callable; `register` may be used as a decorator. The last registration wins."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._func: F | None = None

    def register(self, func: F) -> F:
        self._func = func
        return func

    def unregister(self) -> None:
        self._func = None

    @contextlib.contextmanager
    def overridden(self, func: F | None) -> Iterator[None]:
        """Use `func` (or nothing) for the duration of a block, then restore what was registered (tests)."""
        previous, self._func = self._func, func
        try:
            yield
        finally:
            self._func = previous

    @property
    def func(self) -> F | None:
        return self._func

    def __bool__(self) -> bool:
        return self._func is not None


phase_remaining_provider: SingleHook[Callable[[Any, Any], dict | None]] = SingleHook(
    "phase_remaining_provider",
    """`(phase, user) -> {"today": int | None, "total": int | None, "resets_at": datetime | None} | None`.

    What the user's team may still submit in `phase` (None values: unlimited). Returns None when the
    user is not in a team. Used for `my_remaining` in GET /api/v1/phases/{id}/ and on the challenge page.
    Unregistered: `my_remaining` is null.""",
)


def phase_remaining(phase, user) -> dict | None:
    """Ask the registered provider; None when nobody registered or the user is anonymous."""
    func = phase_remaining_provider.func
    if func is None or user is None or not user.is_authenticated:
        return None
    return func(phase, user)


# `(request, event) -> str`: each returns safe HTML (already escaped) shown on the organizer dashboard,
# e.g. a server-rendered SVG chart of submissions over time. Appended to from submissions' ready().
dashboard_panels: list[Callable[[Any, Any], str]] = []


truth_validator: SingleHook[Callable[[str, IO[bytes], dict | None], None]] = SingleHook(
    "truth_validator",
    """`(kind, fileobj, params) -> None`: check an organizer-uploaded truth file against the scoring
    spec of `kind`; raise django.core.exceptions.ValidationError (or any exception with a message a
    person understands, e.g. submissions.scoring.ScoringValidationError) when it does not fit.
    Unregistered: challenges only checks that the file is a readable CSV with a header.""",
)


ranking_rule: SingleHook[Callable[[Any], str | None]] = SingleHook(
    "ranking_rule",
    """`(challenge) -> str | None`: the metric that ranks the challenge's leaderboard (the organizers'
    override in scoring_params, else the scorer's), as submissions.rules decides it for scoring, the
    leaderboard, the API and emails. Unregistered: the override alone, else None.""",
)


metric_labeler: SingleHook[Callable[[str], str]] = SingleHook(
    "metric_labeler",
    """`(metric code) -> str`: the metric's human name in the active language ("mean PEI*" for
    `mean_pei_star`). Unregistered: the code itself.""",
)


# Sent by challenges.services.team_update after a team's name, country or logo changed, inside the
# same transaction, with `team` (the saved Team) and `changed` (a set of field names). Copies of a
# team's name live elsewhere (submissions' leaderboard rows): their owners connect a receiver from
# their AppConfig.ready() and refresh them. A receiver that raises undoes the change.
team_changed = Signal()


# Sent by challenges.services.phase_publish_results after commit when a phase's results are published,
# with `phase_id`. Apps above (communication) notify the event's participants.
results_published = Signal()


# Sent by judging after commit when judges got new entries to judge (an assignment run, or one added by
# hand), once per batch, with `event_id`, `batch` (a text naming this batch, unique) and `entries`
# ({judge_id: number of entries newly assigned}). judging and communication are independent apps above
# challenges: judging sends, communication notifies each judge once per batch.
judges_assigned = Signal()


# `(request, event) -> str`: each returns safe HTML (already escaped) shown at the top of every event page
# (the `event_banners` tag in the event header), e.g. unread announcements. Appended to from ready().
event_banners: list[Callable[[Any, Any], str]] = []
