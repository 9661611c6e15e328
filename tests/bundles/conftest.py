from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from challenges import services as challenge_services
from challenges.datasets import generate
from communication.board import skill_add
from judging import services as judging_services
from tests.factories import event_creator

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def organizer(db):
    return event_creator(username="bundle-org")


@pytest.fixture
def world(organizer, django_capture_on_commit_callbacks):
    """An event set up through the services as an organizer would: banner, terms, skills, a generated
    hotspot challenge with two phases, an uploaded detection dataset, a judged challenge, judging
    settings, the default rubric and two prizes."""
    org = organizer
    event = challenge_services.event_create(
        creator=org,
        name="Counter-trafficking cup 2026",
        slug="cup-2026",
        description="Find the **patterns**.",
        timezone="America/Bogota",
        registration_opens_at=START - timedelta(days=30),
        registration_closes_at=START + timedelta(days=5),
        team_size_min=2,
        team_size_max=4,
        max_teams=40,
        visibility="published",
        roster_visibility="public",
        code_of_conduct="Be kind.",
        banner=SimpleUploadedFile("banner.png", png(), content_type="image/png"),
    )
    challenge_services.terms_publish(event=event, actor=org, text="Use the data for this event only.")
    skill_add(event=event, actor=org, name="OSINT")
    with django_capture_on_commit_callbacks(execute=True):
        generated = challenge_services.challenge_create(
            event=event, actor=org, kind="hotspot", title="Map the hotspots", slug="hotspots", dataset_seed=7
        )
        uploaded = challenge_services.challenge_create(
            event=event, actor=org, kind="detection", title="Our own records", slug="records"
        )
        dataset = generate("detection", 11, "small", bytes.fromhex("ab" * 16))
        challenge_services.challenge_upload_dataset(
            challenge=uploaded,
            actor=org,
            truth=SimpleUploadedFile("truth.csv", dataset.truth, content_type="text/csv"),
            public_files=SimpleUploadedFile("public.zip", zipped(dataset.public_files), content_type="application/zip"),
        )
        judged = challenge_services.challenge_create(
            event=event, actor=org, kind="judged", title="Build a tool", slug="tool", description="Anything useful."
        )
    challenge_services.phase_create(
        challenge=generated,
        actor=org,
        name="Warm-up",
        opens_at=START,
        closes_at=START + timedelta(days=2),
        daily_limit=5,
        total_limit=20,
        grace_seconds=120,
    )
    challenge_services.phase_create(
        challenge=generated,
        actor=org,
        name="Final",
        opens_at=START + timedelta(days=2),
        closes_at=START + timedelta(days=4, hours=6),
        leaderboard_mode="final",
        public_leaderboard=False,
        failed_count=True,
        order=1,
    )
    challenge_services.phase_create(
        challenge=uploaded, actor=org, name="Main", opens_at=START, closes_at=START + timedelta(days=3)
    )
    challenge_services.phase_create(
        challenge=judged, actor=org, name="Projects", opens_at=START, closes_at=START + timedelta(days=4)
    )
    judging_services.judging_settings_update(
        event=event,
        actor=org,
        judges_per_entry=2,
        seed=42,
        opens_at=START + timedelta(days=4),
        closes_at=START + timedelta(days=8),
        anonymous=True,
        judged_weight=70,
        leaderboard_weight=30,
    )
    judging_services.criteria_add_defaults(event=event, actor=org)
    judging_services.prize_create(event=event, actor=org, name="Best map", challenge=generated)
    judging_services.prize_create(event=event, actor=org, name="Jury's favourite")
    event.refresh_from_db()
    return event
