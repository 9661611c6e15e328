"""DRF serializers of the submissions API (api.md: field names are the stable contract)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Submission
from .selectors import queue_position


class UploadSerializer(serializers.Serializer):
    """The multipart body of an upload (the Idempotency-Key header is optional)."""

    file = serializers.FileField(help_text=_("The predictions: CSV, or CSV compressed with gzip (.csv.gz)."))
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)


class SubmissionCreatedSerializer(serializers.ModelSerializer):
    submitted_at = serializers.DateTimeField(source="received_at", read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "status", "submitted_at"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    """A submission as its team (and the event's organizers) see it.

    `scores` holds `public` always and `private` only when the context's `show_private` is true
    (results published, or an organizer asking).
    """

    submitted_at = serializers.DateTimeField(source="received_at", read_only=True)
    scores = serializers.SerializerMethodField()
    queue_position = serializers.SerializerMethodField()
    error = serializers.CharField(
        read_only=True, help_text=_("Why it failed, in the language of the request (empty unless failed).")
    )
    error_code = serializers.CharField(read_only=True, help_text=_("A stable code for `error`, for scripts."))
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "phase",
            "team",
            "team_name",
            "status",
            "submitted_at",
            "scored_at",
            "scores",
            "error",
            "error_code",
            "public_score",
            "original_name",
            "description",
            "size",
            "is_final",
            "attempts",
            "queue_position",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "public": {"type": "object", "additionalProperties": {"type": "number", "nullable": True}},
                "private": {"type": "object", "additionalProperties": {"type": "number", "nullable": True}},
            },
        }
    )
    def get_scores(self, obj: Submission) -> dict:
        scores = obj.scores or {}
        if obj.status != Submission.Status.SCORED:
            return {}
        shown = {"public": scores.get("public") or {}}
        if self.context.get("show_private"):
            shown["private"] = scores.get("private") or {}
        return shown

    def get_queue_position(self, obj: Submission) -> int | None:
        return queue_position(obj) if self.context.get("with_queue_position") else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_private"):
            data.pop("private_score", None)
        return data


class PaginatedSubmissionListSerializer(serializers.Serializer):
    """A page of submissions, as DRF's PageNumberPagination answers it."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SubmissionSerializer(many=True)


class LeaderboardTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text=_("Null for the organizers' baseline entries."))
    position = serializers.IntegerField()
    team = LeaderboardTeamSerializer()
    is_baseline = serializers.BooleanField()
    score = serializers.FloatField()
    scores = serializers.DictField(child=serializers.FloatField(allow_null=True))
    submission = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()


class LeaderboardSerializer(serializers.Serializer):
    phase = serializers.IntegerField()
    split = serializers.ChoiceField(choices=["public", "private"])
    primary_metric = serializers.CharField(allow_null=True)
    published = serializers.BooleanField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LeaderboardRowSerializer(many=True)


class RescoreResultSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
