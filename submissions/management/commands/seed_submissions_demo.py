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
import random
import zipfile
import zlib
from datetime import datetime, timedelta

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


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _read(field) -> bytes:
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def _baseline(challenge: Challenge) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(_read(challenge.public_archive))) as archive:
        return _rows(archive.read("baseline_submission.csv"))


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    for position, index in enumerate(order):
        ranks[index] = position / max(len(values) - 1, 1)
    return ranks


def answer(kind: str, baseline: list[dict[str, str]], truth: list[dict[str, str]], quality: float, rng) -> bytes:
    """A plausible answer file for `kind`: the baseline moved towards the truth by `quality`, plus noise."""
    noise = 0.15 * (1 - quality) + 0.08
    if kind == "detection":
        label = {row["record_id"]: float(row["label"]) for row in truth}
        base = _ranks([float(row["score"]) for row in baseline])
        return _csv(
            ["record_id", "score"],
            [
                [
                    row["record_id"],
                    f"{(1 - quality) * b + 0.5 * quality * label[row['record_id']] + rng.gauss(0, noise):.5f}",
                ]
                for row, b in zip(baseline, base, strict=True)
            ],
        )
    if kind == "hotspot":
        future: dict[str, float] = {}
        for row in truth:
            future[row["cell_id"]] = future.get(row["cell_id"], 0.0) + float(row["count"])
        top = max(future.values()) or 1.0
        base = _ranks([float(row["score"]) for row in baseline])
        return _csv(
            ["cell_id", "score"],
            [
                [
                    row["cell_id"],
                    f"{(1 - quality) * b + quality * future[row['cell_id']] / top + rng.gauss(0, noise):.4f}",
                ]
                for row, b in zip(baseline, base, strict=True)
            ],
        )
    if kind == "network":
        truth_by_node = {row["node_id"]: row for row in truth}
        base = _ranks([float(row["score"]) for row in baseline])
        rows = []
        for row, b in zip(baseline, base, strict=True):
            true = truth_by_node[row["node_id"]]
            # A team that found a ring names it with its own numbers: offset the truth's so the two never mix.
            if rng.random() < quality:
                community = int(true["ring_id"]) + 1000 if int(true["ring_id"]) else 0
            else:
                community = int(row["community_id"])
            key = 1.0 if true["role"] in ("controller", "broker") else 0.0
            rows.append([row["node_id"], community, f"{(1 - quality) * b + quality * key + rng.gauss(0, noise):.5f}"])
        return _csv(["node_id", "community_id", "score"], rows)
    raise ValueError(f"no demo answers for the {kind} kind")


def arrival_times(phase: Phase, count: int, now: datetime, rng) -> list[datetime]:
    """`count` moments between the phase's opening and a few minutes ago, in order, roughly evenly spread."""
    start, end = phase.opens_at + timedelta(minutes=30), now - timedelta(minutes=5)
    span = (end - start).total_seconds()
    return [start + timedelta(seconds=span * (i + rng.uniform(0.1, 0.9)) / count) for i in range(count)]


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
            baseline = truth = None  # read once per challenge, and only when an upload is missing
            for team in teams:
                rng = random.Random(zlib.crc32(f"{team.name}/{challenge.slug}".encode()))
                count = rng.randint(*ATTEMPTS)
                members = [m.user for m in team.memberships.all()]
                # Members without a verified address upload: the backdated history emails nobody.
                uploaders = [u for u in members if u.email_verified_at is None] or members
                skill = SKILL.get(team.name, DEFAULT_SKILL)
                for i, received_at in enumerate(arrival_times(phase, count, now, rng)):
                    key = f"demo-{challenge.slug}-{i + 1}"
                    quality = min(1.0, skill * (0.4 + 0.6 * (i + 1) / count))
                    if Submission.objects.filter(team=team, idempotency_key=key).exists():
                        continue
                    if baseline is None:
                        baseline, truth = _baseline(challenge), _rows(_read(challenge.truth_file))
                    data = answer(challenge.kind, baseline, truth, quality, rng)
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
