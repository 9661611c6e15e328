"""API shapes of judging (field names: spec/api.md, "Judging API"). Serializers parse and present only;
writes go through judging.services."""

from __future__ import annotations

from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import selectors
from .models import Conflict, Criterion, Entry, Scorecard

ID_MAX = 2**53  # ids beyond this are no row's, and would overflow the database's integer


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.ImageField(source="image")
    thumbnail = serializers.ImageField()


class EntrySerializer(serializers.ModelSerializer):
    """`team`, `team_name` and `country` are null for a judge of an event with anonymous judging."""

    team = serializers.SerializerMethodField()
    team_name = serializers.SerializerMethodField()
    country = serializers.SerializerMethodField()
    images = ImageSerializer(many=True, read_only=True)
    submission = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The scored submission it stands on, if any."
    )
    # Plain strings in answers: an entry without a link has "" (not a URI), which `format: uri` would forbid.
    repository_url = serializers.CharField(read_only=True)
    video_url = serializers.CharField(read_only=True)
    public_scores = serializers.SerializerMethodField(help_text="The attached submission's public scores.")
    editable_until = serializers.SerializerMethodField(help_text="The entry deadline (null: no phase yet).")
    reopened = serializers.BooleanField(read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "team",
            "team_name",
            "country",
            "challenge",
            "title",
            "summary",
            "repository_url",
            "video_url",
            "images",
            "submission",
            "public_scores",
            "editable_until",
            "reopened",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _hidden(self, obj: Entry) -> bool:
        cache = self.context.setdefault("_hidden", {})
        if obj.event_id not in cache:
            request = self.context.get("request")
            cache[obj.event_id] = selectors.hides_teams_from(getattr(request, "user", None), obj.event)
        return cache[obj.event_id]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_team(self, obj: Entry):
        return None if self._hidden(obj) else obj.team_id

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_team_name(self, obj: Entry):
        return None if self._hidden(obj) else obj.team.name

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_country(self, obj: Entry):
        return None if self._hidden(obj) else str(obj.team.country)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_public_scores(self, obj: Entry):
        if obj.submission is None:
            return None
        return (obj.submission.scores or {}).get("public") or {}

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_editable_until(self, obj: Entry):
        deadline = selectors.entry_deadline(obj.challenge)
        return deadline.isoformat() if deadline else None


class EntryWriteSerializer(serializers.Serializer):
    challenge = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(allow_blank=True, required=False, max_length=20_000)
    repository_url = serializers.CharField(allow_blank=True, required=False, max_length=500)
    video_url = serializers.CharField(allow_blank=True, required=False, max_length=500)
    submission = serializers.IntegerField(allow_null=True, required=False, min_value=1, max_value=ID_MAX)
    images = serializers.ListField(child=serializers.ImageField(), required=False, max_length=5)
    remove_images = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), required=False, max_length=50
    )


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name", "description", "weight", "min_score", "max_score", "levels"]
        read_only_fields = ["id"]


class CriterionWriteSerializer(serializers.Serializer):
    defaults = serializers.BooleanField(required=False, help_text="true: add the default rubric instead.")
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    weight = serializers.FloatField(required=False, min_value=0.01, max_value=100)
    min_score = serializers.IntegerField(required=False, min_value=-1000, max_value=1000)
    max_score = serializers.IntegerField(required=False, min_value=-1000, max_value=1000)
    levels = serializers.JSONField(required=False)


class ConflictSerializer(serializers.ModelSerializer):
    judge = serializers.CharField(source="judge.username", read_only=True)
    country = CountryField(required=False, allow_blank=True)

    class Meta:
        model = Conflict
        fields = ["id", "judge", "team", "country", "created_at"]
        read_only_fields = ["id", "judge", "created_at"]


class ConflictWriteSerializer(serializers.Serializer):
    team = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX)
    country = CountryField(required=False, allow_blank=True)
    judge = serializers.CharField(required=False, help_text="Organizers: record a conflict for this judge.")


class AssignmentSerializer(serializers.Serializer):
    entry = serializers.IntegerField(source="entry_id")
    judge = serializers.CharField(source="judge.username")
    by_hand = serializers.BooleanField()


class AssignmentRunSerializer(serializers.Serializer):
    judges_per_entry = serializers.IntegerField(min_value=1, max_value=20, required=False)
    seed = serializers.IntegerField(required=False, min_value=-(2**31), max_value=2**31 - 1)
    keep_existing = serializers.BooleanField(
        required=False, default=True, help_text="false: plan afresh (scored pairs always stay)."
    )


class ScorecardSerializer(serializers.ModelSerializer):
    judge = serializers.CharField(source="judge.username")

    class Meta:
        model = Scorecard
        fields = ["id", "entry", "judge", "scores", "comment", "submitted_at", "updated_at"]


class ScorecardWriteSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.JSONField())
    comment = serializers.CharField(allow_blank=True, required=False, max_length=5000)


class ResultTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()


class ResultRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    entry = serializers.IntegerField(source="entry.pk")
    title = serializers.CharField(source="entry.title")
    challenge = serializers.IntegerField(source="entry.challenge_id")
    team = serializers.SerializerMethodField()
    raw_mean = serializers.FloatField(allow_null=True)
    normalized = serializers.FloatField(allow_null=True)
    n_scorecards = serializers.IntegerField()

    @extend_schema_field(ResultTeamSerializer)
    def get_team(self, obj) -> dict:
        team = obj.entry.team
        return {"id": team.pk, "name": team.name, "country": str(team.country)}


class JudgingSettingsSerializer(serializers.Serializer):
    judges_per_entry = serializers.IntegerField(min_value=1, max_value=20, required=False)
    seed = serializers.IntegerField(required=False, min_value=-(2**31), max_value=2**31 - 1)
    opens_at = serializers.DateTimeField(allow_null=True, required=False)
    closes_at = serializers.DateTimeField(allow_null=True, required=False)
    anonymous = serializers.BooleanField(required=False)
    show_judge_names = serializers.BooleanField(required=False)
    judged_weight = serializers.IntegerField(min_value=0, max_value=100, required=False)
    leaderboard_weight = serializers.IntegerField(min_value=0, max_value=100, required=False)
    published = serializers.BooleanField(required=False)
    is_open = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField())
    def get_is_open(self, obj) -> bool:
        return obj.is_open()


class CriterionUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    weight = serializers.FloatField(required=False, min_value=0.01, max_value=100)
    min_score = serializers.IntegerField(required=False, min_value=-1000, max_value=1000)
    max_score = serializers.IntegerField(required=False, min_value=-1000, max_value=1000)
    levels = serializers.JSONField(required=False)


class PrizeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    challenge = serializers.IntegerField(source="challenge_id", read_only=True, allow_null=True)
    winner = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The winning entry; null until the judged results are published."
    )


class PrizeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    challenge = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)


class PrizeAwardSerializer(serializers.Serializer):
    winner = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=2**63 - 1, help_text="An entry id, or null."
    )
