"""A scored submission history for the demo event (called by seed_demo; idempotent).

Every team of the demo event uploads a few answers to each automatically scored challenge, spread over
the time the phase has been open, through the same service as the upload page (`submission_create`,
with an explicit `received_at`), and each is scored at once by the service the Celery task calls
(`submission_score`). So leaderboards, the best-over-time chart, the dashboard and the pictures have
content on first look, made by the real code.

1. An answer starts from the public baseline in the challenge's own data archive and is blended with
   the truth by a "quality" (the team's skill, growing over its attempts) plus noise: better and worse
   answers, each still a plausible file. The truth is read here only to make them; it is stored nowhere.
2. Each upload carries an Idempotency-Key `demo-<challenge>-<n>`: a second run finds the key and skips
   it (no new file made, nothing duplicated).
3. One team's first upload to the detection challenge lacks rows, so the demo shows a failed
   submission with its readable reason too.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from challenges.models import Challenge, Event, Phase, Team
from submissions.models import Submission
from submissions.services import submission_create, submission_score

# How good each team is (0 = the baseline, 1 = close to the truth); teams not listed get DEFAULT_SKILL.
SKILL = {
    "Savanna Analytics": 0.85,
    "Équipe Lumière": 0.7,
    "Team Andes": 0.6,
    "Sankalp": 0.5,
    "Equipe Ipê": 0.4,
    "Bayanihan Lab": 0.25,
    "Sahel Signal": 0.15,
}
DEFAULT_SKILL = 0.3
ATTEMPTS = (3, 5)  # uploads per team per challenge: between these two, fixed per (team, challenge)
BROKEN = ("Sahel Signal", "detection")  # this team's first upload to this challenge is missing rows


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _read(field) -> bytes:
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank scaled to 0..1 (the baselines' scales differ; ranks put them on one)."""
    return np.argsort(np.argsort(values, kind="stable"), kind="stable") / max(len(values) - 1, 1)


@dataclass
class Material:
    """What answers to one challenge are made from, aligned on the baseline's rows."""

    kind: str
    ids: list[str]
    base: np.ndarray  # the baseline's score, as a rank in 0..1
    target: np.ndarray  # what a perfect score looks like: the label, the future count, "is a key player"
    base_community: np.ndarray | None = None  # network: the baseline's communities
    true_ring: np.ndarray | None = None  # network: the true rings


def material(challenge: Challenge) -> Material:
    """Read the public baseline (from the participants' archive) and the truth, once per challenge."""
    with zipfile.ZipFile(io.BytesIO(_read(challenge.public_archive))) as archive:
        baseline = _rows(archive.read("baseline_submission.csv"))
    truth = _rows(_read(challenge.truth_file))
    kind = challenge.kind
    id_column = {"detection": "record_id", "hotspot": "cell_id", "network": "node_id"}[kind]
    ids = [row[id_column] for row in baseline]
    base = _ranks(np.array([float(row["score"]) for row in baseline]))
    if kind == "detection":
        label = {row["record_id"]: float(row["label"]) for row in truth}
        return Material(kind, ids, base, np.array([label[i] for i in ids]))
    if kind == "hotspot":
        future: dict[str, float] = {}
        for row in truth:  # one row per cell and split: the public week and the private weeks
            future[row["cell_id"]] = future.get(row["cell_id"], 0.0) + float(row["count"])
        target = np.array([future[i] for i in ids])
        return Material(kind, ids, base, target / (target.max() or 1.0))
    if kind == "network":
        by_node = {row["node_id"]: row for row in truth}
        return Material(
            kind,
            ids,
            base,
            np.array([1.0 if by_node[i]["role"] in ("controller", "broker") else 0.0 for i in ids]),
            base_community=np.array([int(row["community_id"]) for row in baseline]),
            true_ring=np.array([int(by_node[i]["ring_id"]) for i in ids]),
        )
    raise ValueError(f"no demo answers for the {kind} kind")


def answer(made: Material, quality: float, rng: np.random.Generator) -> bytes:
    """A plausible answer file: the baseline moved towards the truth by `quality` (0..1), plus noise."""
    noise = rng.normal(0, 0.15 * (1 - quality) + 0.08, len(made.ids))
    weight = 0.5 if made.kind == "detection" else 1.0  # a label is 0/1: half of it already separates well
    score = (1 - quality) * made.base + weight * quality * made.target + noise
    if made.kind != "network":
        header = "record_id,score" if made.kind == "detection" else "cell_id,score"
        lines = [f"{i},{v:.5f}" for i, v in zip(made.ids, score.tolist(), strict=True)]
    else:
        # A team that found a ring names it with its own numbers: offset the truth's so the two never mix.
        found = (rng.random(len(made.ids)) < quality) & (made.true_ring > 0)
        knows_outside = (rng.random(len(made.ids)) < quality) & (made.true_ring == 0)
        community = np.where(found, made.true_ring + 1000, np.where(knows_outside, 0, made.base_community))
        header = "node_id,community_id,score"
        lines = [f"{i},{c},{v:.5f}" for i, c, v in zip(made.ids, community.tolist(), score.tolist(), strict=True)]
    return (header + "\n" + "\n".join(lines) + "\n").encode("utf-8")


def arrival_times(phase: Phase, count: int, now: datetime, rng) -> list[datetime]:
    """`count` moments between the phase's opening and a few minutes ago, in order, roughly evenly spread."""
    start, end = phase.opens_at + timedelta(minutes=30), now - timedelta(minutes=5)
    span = (end - start).total_seconds()
    return [start + timedelta(seconds=span * (i + float(rng.uniform(0.1, 0.9))) / count) for i in range(count)]


class Command(BaseCommand):
    help = "Add scored demo submissions from every team of the event 'demo' (run by seed_demo; idempotent)."

    def handle(self, *args, **options):
        event = Event.objects.filter(slug="demo").first()
        if event is None:
            self.stdout.write("No demo event: run seed_demo first.")
            return
        now = timezone.now()
        made = 0
        teams = list(Team.objects.filter(event=event).prefetch_related("memberships__user").order_by("pk"))
        for challenge in Challenge.objects.filter(event=event).exclude(kind=Challenge.Kind.JUDGED).order_by("order"):
            phase = challenge.phases.order_by("opens_at").first()
            if phase is None or not challenge.truth_file or not challenge.public_archive:
                continue
            source = None  # read once per challenge, and only when an upload is missing
            for team in teams:
                rng = np.random.default_rng(zlib.crc32(f"{team.name}/{challenge.slug}".encode()))
                count = int(rng.integers(ATTEMPTS[0], ATTEMPTS[1] + 1))
                members = [m.user for m in team.memberships.all()]
                # Members without a verified address upload: the backdated history emails nobody.
                uploaders = [u for u in members if u.email_verified_at is None] or members
                skill = SKILL.get(team.name, DEFAULT_SKILL)
                for i, received_at in enumerate(arrival_times(phase, count, now, rng)):
                    key = f"demo-{challenge.slug}-{i + 1}"
                    quality = min(1.0, skill * (0.4 + 0.6 * (i + 1) / count))
                    if Submission.objects.filter(team=team, idempotency_key=key).exists():
                        continue
                    if source is None:
                        source = material(challenge)
                    data = answer(source, quality, rng)
                    if (team.name, challenge.kind) == BROKEN and i == 0:
                        data = b"\n".join(data.split(b"\n")[:-20]) + b"\n"
                    self._upload(phase, uploaders[i % len(uploaders)], data, key, received_at, i)
                    made += 1
        self.stdout.write(f"Submissions demo ready: {made} new scored submissions.")

    def _upload(self, phase: Phase, user, data: bytes, key: str, received_at: datetime, index: int) -> None:
        file = SimpleUploadedFile(f"{phase.challenge.slug}-answer-{index + 1}.csv", data, content_type="text/csv")
        with transaction.atomic():
            submission, created = submission_create(
                phase=phase,
                user=user,
                file=file,
                received_at=received_at,
                description=f"Attempt {index + 1}",
                idempotency_key=key,
            )
        if created:
            submission_score(submission_id=submission.pk)  # what the Celery task runs, here synchronously
