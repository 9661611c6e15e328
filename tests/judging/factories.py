"""Helpers for judging tests: a published event with a judged challenge open for entries, teams, judges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from challenges.models import Challenge, Event, Team
from judging import services
from judging.models import Criterion, Entry
from tests.factories import ChallengeFactory, EventFactory, PhaseFactory, TeamFactory, make_judge, make_organizer


@dataclass
class JudgingWorld:
    event: Event
    challenge: Challenge
    organizer: User
    judges: list[User]
    teams: list[Team]
    entries: list[Entry]
    criteria: list[Criterion]


def judged_challenge(event: Event | None = None, **kwargs) -> Challenge:
    challenge = ChallengeFactory(event=event or EventFactory(), kind=Challenge.Kind.JUDGED, **kwargs)
    PhaseFactory(challenge=challenge)
    return challenge


def entry_for(team: Team, challenge: Challenge, title: str = "Our tool", **fields) -> Entry:
    return services.entry_create(challenge=challenge, user=team.captain, title=title, **fields)


def judging_world(*, n_teams: int = 3, n_judges: int = 2, countries=("CO", "BR", "FR", "PE", "MX")) -> JudgingWorld:
    event = EventFactory()
    organizer = make_organizer(event)
    challenge = judged_challenge(event)
    judges = [make_judge(event, country="PT") for _ in range(n_judges)]
    teams = [TeamFactory(event=event, country=countries[i % len(countries)]) for i in range(n_teams)]
    entries = [entry_for(team, challenge, title=f"Entry {i}") for i, team in enumerate(teams)]
    criteria = services.criteria_add_defaults(event=event, actor=organizer)
    return JudgingWorld(event, challenge, organizer, judges, teams, entries, criteria)


def full_scores(criteria: list[Criterion], value: int = 3) -> dict[str, int]:
    return {str(c.pk): value for c in criteria}


def close_phases(challenge: Challenge) -> None:
    past = timezone.now() - timedelta(hours=1)
    challenge.phases.update(opens_at=past - timedelta(days=2), closes_at=past)
