"""Submissions, their scores, and the leaderboard rows rebuilt from them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from challenges.models import Phase, Team
from hackplatform.storage import private_storage


def submission_upload_to(instance: Submission, filename: str) -> str:
    # A random name: the participant's file name is kept in original_name, never used as a path.
    suffix = ".csv.gz" if filename.lower().endswith(".gz") else ".csv"
    return f"submissions/{instance.phase_id}/{uuid.uuid4().hex}{suffix}"


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SCORED = "scored", _("Scored")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="submissions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(storage=private_storage, upload_to=submission_upload_to, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    description = models.CharField(_("description"), max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    # received_at is the server's clock when the request arrived: it alone decides lateness.
    received_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    counts_toward_limit = models.BooleanField(default=True)
    is_final = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the scoring job was last handed to the broker; None when sending failed (broker down):
    # the sweeper sends it again.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The running job's claim: a random token (the final write only lands while it still matches) and
    # the moment the claim lapses unless the worker's heartbeat renews it (see services/scoring.py).
    lease_token = models.CharField(max_length=32, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # Why it failed, as a code of submissions.texts.ERRORS and its parameters: rendered in the reader's
    # language when shown (the worker that wrote it runs in none in particular).
    error_code = models.CharField(max_length=40, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    # The primary metric per split, copied out of `scores` so leaderboards sort in the database.
    public_score = models.FloatField(null=True, blank=True)
    private_score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="submission_unique_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["phase", "team"], condition=Q(is_final=True), name="submission_one_final_per_team"
            ),
        ]
        indexes = [models.Index(fields=["phase", "status"]), models.Index(fields=["phase", "team", "received_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.team} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("submissions:submission_detail", args=[self.pk])

    @property
    def error(self) -> str:
        """Why it failed, in the active language ("" when it did not)."""
        if not self.error_code:
            return ""
        from .texts import ERRORS, scoring_problem

        params = dict(self.error_params or {})
        if "problem" in params:
            params["problem"] = scoring_problem(params)
        return ERRORS.render(self.error_code, params)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SCORED, self.Status.FAILED, self.Status.CANCELLED)


class ScoreResult(models.Model):
    """The output of one scoring run, stored under a unique key (submission, truth version).

    Scoring the same file against the same truth twice overwrites the same row: running a job
    twice is harmless. The submission row carries a copy of the newest result for fast reads.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="results")
    truth_version = models.PositiveIntegerField()
    scores = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "truth_version"], name="scoreresult_unique_key"),
        ]

    def __str__(self) -> str:
        return f"result of #{self.submission_id} (truth v{self.truth_version})"


class LeaderboardEntry(models.Model):
    """One row of a phase's leaderboard for one split, rebuilt from the submissions (never incremented).

    Team name, country and the split's scores are copied in, so a page of the leaderboard is one
    query whatever the number of teams. `position` orders every row; `rank` is the place among
    competing teams (baselines are shown, in score order, without taking a rank).
    """

    class Split(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="leaderboard_entries")
    split = models.CharField(max_length=10, choices=Split.choices)
    position = models.PositiveIntegerField()
    rank = models.PositiveIntegerField(null=True, blank=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    team_name = models.CharField(max_length=80)
    team_country = models.CharField(max_length=2, blank=True)
    is_baseline = models.BooleanField(default=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    scores = models.JSONField(default=dict)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["phase", "split", "position"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "split", "team"], name="leaderboard_one_row_per_team"),
            models.UniqueConstraint(fields=["phase", "split", "position"], name="leaderboard_unique_position"),
        ]
        indexes = [models.Index(fields=["phase", "split", "team_country", "position"])]

    def __str__(self) -> str:
        return f"{self.phase} {self.split} #{self.position} {self.team_name}"
