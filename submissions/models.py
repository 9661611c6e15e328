"""Submissions, their scores, and the leaderboard rows rebuilt from them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
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
    claimed_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
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
        ]
        indexes = [models.Index(fields=["phase", "status"]), models.Index(fields=["phase", "team", "received_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.team} {self.status}"
