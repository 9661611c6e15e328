from __future__ import annotations

import pytest

from challenges.models import Event
from tests.factories import ChallengeFactory, EventFactory, TermsFactory, make_judge, make_organizer, register


@pytest.fixture
def event() -> Event:
    event = EventFactory(slug="lima", name="Lima hack")
    TermsFactory(event=event)
    return event


@pytest.fixture
def organizer(event):
    return make_organizer(event, username="orga")


@pytest.fixture
def judge(event):
    return make_judge(event, username="judy")


@pytest.fixture
def participants(event):
    return [register(event) for _ in range(3)]


@pytest.fixture
def challenge(event):
    return ChallengeFactory(event=event, slug="hotspots", title="Hotspots")
