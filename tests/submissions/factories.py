"""Factories and small files for the submissions tests (the shared ones are in tests/factories.py)."""

from __future__ import annotations

import gzip
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from challenges.models import Challenge, Phase, Team
from submissions.models import Submission
from tests.factories import ChallengeFactory, PhaseFactory, TeamFactory

# A detection truth: 6 public and 6 private records (2 positives each).
DETECTION_TRUTH = "record_id,label,split\n" + "".join(
    f"r{i:02d},{1 if i % 3 == 0 else 0},{'public' if i < 6 else 'private'}\n" for i in range(12)
)


def detection_csv(perfect: bool = True, shift: int = 0) -> bytes:
    """A valid detection submission: perfect scores, or a worse ordering."""
    rows = []
    for i in range(12):
        positive = i % 3 == 0
        score = (0.9 if positive else 0.1) if perfect else ((i + shift) % 12) / 12
        rows.append(f"r{i:02d},{score}\n")
    return ("record_id,score\n" + "".join(rows)).encode()


MALFORMED_CSV = b"record_id,score\nr00,0.5\nr01,not-a-number\n"


def upload(content: bytes | None = None, name: str = "predictions.csv", gz: bool = False) -> SimpleUploadedFile:
    content = detection_csv() if content is None else content
    if gz:
        content, name = gzip.compress(content), name + ".gz"
    return SimpleUploadedFile(name, content, content_type="text/csv")


def scored_challenge(kind: str = Challenge.Kind.DETECTION, truth: str = DETECTION_TRUTH, **kwargs) -> Challenge:
    challenge = ChallengeFactory(kind=kind, **kwargs)
    challenge.truth_file.save("truth.csv", ContentFile(truth.encode()), save=False)
    challenge.truth_version = 1
    challenge.save()
    return challenge


def open_phase(**kwargs) -> Phase:
    challenge = kwargs.pop("challenge", None) or scored_challenge()
    return PhaseFactory(challenge=challenge, **kwargs)


def team_in(phase: Phase, **kwargs) -> Team:
    return TeamFactory(event=phase.challenge.event, **kwargs)


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A submission row with its file, not scored (status queued) unless told."""

    class Meta:
        model = Submission

    phase = factory.SubFactory(PhaseFactory)
    team = factory.LazyAttribute(lambda s: TeamFactory(event=s.phase.challenge.event))
    submitted_by = factory.LazyAttribute(lambda s: s.team.captain)
    file = factory.LazyFunction(lambda: ContentFile(detection_csv(), name="predictions.csv"))
    original_name = "predictions.csv"
    size = 100
    received_at = factory.LazyFunction(timezone.now)
    enqueued_at = factory.LazyAttribute(lambda s: s.received_at)


def scored(phase: Phase, team: Team, public: float | None, private: float | None = None, *, at=None, **kwargs):
    """A scored submission row with the given primary scores (no scorer run)."""
    private = public if private is None else private
    return SubmissionFactory(
        phase=phase,
        team=team,
        status=Submission.Status.SCORED,
        public_score=public,
        private_score=private,
        scores={"public": {"average_precision": public}, "private": {"average_precision": private}},
        received_at=at or timezone.now() - timedelta(hours=1),
        scored_at=timezone.now(),
        **kwargs,
    )
