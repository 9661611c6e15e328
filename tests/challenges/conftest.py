from __future__ import annotations

import io

import pytest
from PIL import Image

from challenges import services
from tests.factories import ChallengeFactory, EventFactory, PhaseFactory, TermsFactory, make_organizer


@pytest.fixture
def event(db):
    event = EventFactory()
    TermsFactory(event=event)
    return event


@pytest.fixture
def organizer(event):
    return make_organizer(event)


@pytest.fixture
def challenge_with_data(event):
    challenge = ChallengeFactory(event=event)
    services.challenge_store_dataset(
        challenge=challenge,
        public_files={"records.csv": b"record_id\nr1\n", "sample_submission.csv": b"record_id,score\nr1,0.5\n"},
        truth=b"record_id,label,split\nr1,1,public\n",
    )
    return challenge


@pytest.fixture
def phase(challenge_with_data):
    return PhaseFactory(challenge=challenge_with_data)


def login(client, user):
    """Log `user` in on `client`; returns the user.

    force_login: Client.login() calls authenticate() without a request, which django-axes refuses
    (it cannot count failures without one); the login page itself is tested in tests/accounts/."""
    client.force_login(user)
    return user


def png_bytes(size=(64, 48), mode="RGB", fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(out, fmt)
    return out.getvalue()
