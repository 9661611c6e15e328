"""API shapes of events, registrations, teams, challenges and phases (field names: see spec/api.md).

Serializers only parse and present; writes go through services (views call them)."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from . import hooks, selectors
from .forms import localize
from .models import Challenge, Event, Phase, Team


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


class EventSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField(help_text="organizer, judge, participant or null")
    terms_version = serializers.SerializerMethodField(
        help_text="The current data-use agreement's version (null: none)."
    )
    needs_terms_acceptance = serializers.SerializerMethodField(
        help_text="True when the caller is registered but has not accepted the current version."
    )
    roster_locked = serializers.SerializerMethodField()
    invite_url = serializers.SerializerMethodField(help_text="Organizers only (invite-only events).")
    banner = serializers.ImageField(read_only=True)
    banner_thumbnail = serializers.ImageField(read_only=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES]),
        allow_empty=False,
        required=False,
        help_text="The event's languages (codes of the site's languages): announcements may be translated "
        "into these. Default: all of them.",
    )

    class Meta:
        model = Event
        fields = [
            "name",
            "slug",
            "description",
            "banner",
            "banner_thumbnail",
            "timezone",
            "visibility",
            "roster_visibility",
            "team_size_min",
            "team_size_max",
            "max_teams",
            "registration_opens_at",
            "registration_closes_at",
            "code_of_conduct",
            "roster_unlocked",
            "languages",
            "roster_locked",
            "terms_version",
            "my_role",
            "needs_terms_acceptance",
            "invite_url",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"roster_unlocked": {"required": False}}

    def validate_languages(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def get_my_role(self, event: Event) -> str | None:
        return selectors.event_role(_user(self.context), event)

    def get_terms_version(self, event: Event) -> int | None:
        terms = event.current_terms
        return terms.version if terms else None

    def get_needs_terms_acceptance(self, event: Event) -> bool:
        registration = selectors.registration_for(event=event, user=_user(self.context))
        return registration is not None and not registration.accepted_current_terms()

    def get_roster_locked(self, event: Event) -> bool:
        return selectors.roster_locked(event)

    def get_invite_url(self, event: Event) -> str | None:
        request = self.context.get("request")
        if request is None or not selectors.is_organizer(request.user, event):
            return None
        return request.build_absolute_uri(event.get_absolute_url() + "?invite=" + event.invite_token)

    def to_representation(self, instance):
        with timezone.override(instance.tzinfo):
            return super().to_representation(instance)

    def validate(self, attrs):
        # Naive datetimes are read in the event's zone (the one sent, or the event's own).
        zone_name = attrs.get("timezone") or (self.instance.timezone if self.instance else "UTC")
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("registration_opens_at", "registration_closes_at"):
            raw = self.initial_data.get(name) if hasattr(self, "initial_data") else None
            value = attrs.get(name)
            if value is not None and isinstance(raw, str) and _is_naive_iso(raw):
                attrs[name] = _localize_field(name, value, zone)
        return attrs


def _localize_field(name: str, value, zone):
    """localize() with its refusal reported on the field (not as a form-wide error)."""
    try:
        return localize(value.replace(tzinfo=None), zone)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({name: exc.messages})


def _is_naive_iso(raw: str) -> bool:
    tail = raw.strip()[10:]
    return not (tail.endswith("Z") or "+" in tail or "-" in tail)


class EventRegisterSerializer(serializers.Serializer):
    accept_terms = serializers.BooleanField(
        help_text="Must be true: you accept the event's current data-use agreement."
    )
    invite = serializers.CharField(
        required=False, allow_blank=True, help_text="The invite token of an invite-only event."
    )


class TermsSerializer(serializers.Serializer):
    """A version of the event's data-use agreement (Markdown); registering accepts the newest."""

    version = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=100_000, help_text="Markdown.")
    published_at = serializers.DateTimeField(read_only=True)


class RegistrationSerializer(serializers.Serializer):
    event = serializers.CharField(source="event.slug")
    terms_version = serializers.IntegerField(source="terms.version", allow_null=True, default=None)
    terms_accepted_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class TeamSerializer(serializers.ModelSerializer):
    country = CountryField()
    captain = serializers.SerializerMethodField(
        help_text="The captain's username; null for callers the event does not show its rosters to."
    )
    members = serializers.SerializerMethodField(
        help_text="Usernames; null for callers the event does not show its rosters to (see `size`)."
    )
    size = serializers.SerializerMethodField(help_text="How many members the team has (always shown).")
    join_code = serializers.SerializerMethodField(help_text="Only for the team's members and the organizers.")
    invite_url = serializers.SerializerMethodField(help_text="Only for the team's members and the organizers.")
    event = serializers.CharField(source="event.slug", read_only=True)
    logo = serializers.FileField(required=False, allow_null=True, help_text="PNG, JPEG or WebP; re-encoded.")

    class Meta:
        model = Team
        fields = [
            "id",
            "event",
            "name",
            "country",
            "logo",
            "captain",
            "members",
            "size",
            "is_baseline",
            "join_code",
            "invite_url",
            "created_at",
        ]
        read_only_fields = ["id", "is_baseline", "created_at"]

    def _may_see_code(self, team: Team) -> bool:
        user = _user(self.context)
        if user is None or not user.is_authenticated:
            return False
        return any(m.user_id == user.id for m in team.memberships.all()) or selectors.is_organizer(user, team.event)

    def _may_see_roster(self, team: Team) -> bool:
        # One answer per event and request: a list of teams asks once, not once per team.
        cache = self.context.setdefault("_roster_visible", {})
        if team.event_id not in cache:
            cache[team.event_id] = selectors.can_see_roster(_user(self.context), team.event)
        return cache[team.event_id]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_captain(self, team: Team) -> str | None:
        return team.captain.username if self._may_see_roster(team) else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_members(self, team: Team) -> list[str] | None:
        if not self._may_see_roster(team):
            return None
        return sorted(m.user.username for m in team.memberships.all())

    def get_size(self, team: Team) -> int:
        return len(team.memberships.all())

    def get_join_code(self, team: Team) -> str | None:
        return team.join_code if self._may_see_code(team) else None

    def get_invite_url(self, team: Team) -> str | None:
        request = self.context.get("request")
        if request is None or not self._may_see_code(team):
            return None
        from django.urls import reverse

        return request.build_absolute_uri(reverse("challenges:team_join_link", args=[team.event.slug, team.join_code]))


class TeamUpdateSerializer(serializers.Serializer):
    """PATCH /teams/{id}/: any of the three; what is left out stays as it is."""

    name = serializers.CharField(max_length=80, required=False)
    country = CountryField(required=False)
    logo = serializers.FileField(
        required=False, help_text="PNG, JPEG or WebP (multipart only); checked, re-encoded and shrunk."
    )

    def validate(self, attrs):
        # An empty body (or a multipart body with no part at all) changes nothing: say so rather than 200.
        if not attrs:
            raise serializers.ValidationError(_("Send at least one of name, country or logo."), code="empty")
        return attrs


@extend_schema_serializer(component_name="TeamJoinCode")  # "JoinRequest" is communication's
class JoinSerializer(serializers.Serializer):
    join_code = serializers.CharField(max_length=40)


class CaptainSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class UsernameSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class EventRoleSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    role = serializers.CharField()
    created_at = serializers.DateTimeField()


class RemainingSerializer(serializers.Serializer):
    today = serializers.IntegerField(allow_null=True, help_text="Submissions left today (null: no daily limit).")
    total = serializers.IntegerField(allow_null=True, help_text="Submissions left in the phase (null: no limit).")
    resets_at = serializers.DateTimeField(allow_null=True, help_text="When the daily count starts again.")


class DatasetFileSerializer(serializers.Serializer):
    sha256 = serializers.CharField(help_text="SHA-256 of the zip (hex): its download's ETag; check the file with it.")
    size = serializers.IntegerField(help_text="The zip's size in bytes.")
    url = serializers.CharField(help_text="Where to download it (GET; supports Range and If-None-Match).")


class PhaseSerializer(serializers.ModelSerializer):
    challenge = serializers.PrimaryKeyRelatedField(queryset=Challenge.objects.all())
    dataset = serializers.SerializerMethodField(help_text="The participant zip (null while there is none).")
    is_open = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField(help_text="upcoming, open, grace or closed")
    accepts_until = serializers.DateTimeField(read_only=True, help_text="closes_at plus the grace period.")
    results_published = serializers.BooleanField(
        required=False, help_text="Organizers publish or withdraw the results."
    )
    my_remaining = serializers.SerializerMethodField(
        help_text="What the caller's team may still submit (null where unlimited)."
    )

    class Meta:
        model = Phase
        fields = [
            "id",
            "challenge",
            "name",
            "opens_at",
            "closes_at",
            "grace_seconds",
            "accepts_until",
            "is_open",
            "state",
            "daily_limit",
            "total_limit",
            "failed_count",
            "leaderboard_mode",
            "public_leaderboard",
            "results_published",
            "results_published_at",
            "order",
            "my_remaining",
            "dataset",
        ]
        read_only_fields = ["id", "results_published_at"]

    def get_is_open(self, phase: Phase) -> bool:
        return phase.is_open()

    def get_state(self, phase: Phase) -> str:
        return phase.state()

    @extend_schema_field(DatasetFileSerializer(allow_null=True))
    def get_dataset(self, phase: Phase) -> dict | None:
        from django.urls import reverse

        from .services import dataset_archive_digest

        if not phase.challenge.public_archive:
            return None
        sha256, size = dataset_archive_digest(challenge=phase.challenge)
        return {"sha256": sha256, "size": size, "url": reverse("api:phase-dataset", args=[phase.pk])}

    @extend_schema_field(RemainingSerializer(allow_null=True))
    def get_my_remaining(self, phase: Phase) -> dict | None:
        remaining = hooks.phase_remaining(phase, _user(self.context))
        if remaining and remaining.get("resets_at") is not None and hasattr(remaining["resets_at"], "isoformat"):
            remaining = {**remaining, "resets_at": remaining["resets_at"].isoformat()}
        return remaining

    def to_representation(self, instance):
        with timezone.override(instance.challenge.event.tzinfo):
            data = super().to_representation(instance)
        data["results_published"] = instance.results_published
        return data

    def validate(self, attrs):
        challenge = attrs.get("challenge") or (self.instance.challenge if self.instance else None)
        zone = challenge.event.tzinfo if challenge else zoneinfo.ZoneInfo("UTC")
        for name in ("opens_at", "closes_at"):
            raw = self.initial_data.get(name)
            if attrs.get(name) is not None and isinstance(raw, str) and _is_naive_iso(raw):
                attrs[name] = _localize_field(name, attrs[name], zone)
        opens = attrs.get("opens_at") or (self.instance.opens_at if self.instance else None)
        closes = attrs.get("closes_at") or (self.instance.closes_at if self.instance else None)
        if opens and closes and closes <= opens:
            raise serializers.ValidationError({"closes_at": _("The phase must close after it opens.")})
        return attrs


class PhaseBriefSerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Phase
        fields = ["id", "name", "opens_at", "closes_at", "is_open", "daily_limit", "total_limit"]

    def get_is_open(self, phase: Phase) -> bool:
        return phase.is_open()


class DatasetSpecSerializer(serializers.Serializer):
    seed = serializers.IntegerField(min_value=0, max_value=2**62)
    size = serializers.ChoiceField(choices=Challenge.DatasetSize.choices, default="small")


class ChallengeSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", queryset=Event.objects.all())
    slug = serializers.SlugField(max_length=80, required=False)
    primary_metric = serializers.CharField(read_only=True, allow_null=True)
    phases = serializers.SerializerMethodField()
    dataset = DatasetSpecSerializer(
        write_only=True, required=False, help_text="Generate the dataset from (seed, size)."
    )
    has_dataset = serializers.BooleanField(read_only=True)
    dataset_seed = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The event's organizers only (absent for everyone else)."
    )
    dataset_size = serializers.CharField(read_only=True, help_text="small, medium or large")

    class Meta:
        model = Challenge
        fields = [
            "id",
            "event",
            "slug",
            "kind",
            "title",
            "description",
            "primary_metric",
            "order",
            "dataset",
            "dataset_source",
            "dataset_seed",
            "dataset_size",
            "has_dataset",
            "truth_version",
            "phases",
        ]
        read_only_fields = ["id", "dataset_source", "dataset_seed", "dataset_size", "truth_version"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # The seed is half of the key of a generated dataset: only the organizers see it.
        if not self._organizes(instance.event):
            data.pop("dataset_seed", None)
        return data

    def _organizes(self, event: Event) -> bool:
        """Is the caller an organizer of `event`? Asked once per event for a whole list."""
        cache = self.context.setdefault("_organizer_of", {}) if isinstance(self.context, dict) else {}
        if event.pk not in cache:
            cache[event.pk] = selectors.is_organizer(_user(self.context), event)
        return cache[event.pk]

    @extend_schema_field(PhaseBriefSerializer(many=True))
    def get_phases(self, challenge: Challenge) -> list[dict]:
        with timezone.override(challenge.event.tzinfo):
            return PhaseBriefSerializer(challenge.phases.all(), many=True).data

    def get_validators(self):
        # The (event, slug) uniqueness is checked by the service's full_clean, with a readable message;
        # DRF's own validator would also make `slug` required.
        return []

    def validate(self, attrs):
        if self.instance is not None:
            if "event" in attrs and attrs["event"] != self.instance.event:
                raise serializers.ValidationError({"event": _("A challenge cannot move to another event.")})
            if "kind" in attrs and attrs["kind"] != self.instance.kind:
                raise serializers.ValidationError(
                    {"kind": _("The kind of a challenge cannot change; add a new challenge.")}
                )
        return attrs


class DatasetUploadSerializer(serializers.Serializer):
    truth_file = serializers.FileField(help_text="The hidden truth CSV (checked against the scoring rules).")
    public_files = serializers.FileField(help_text="Participant files: a zip (with sample_submission.csv) or one CSV.")


class MyEventSerializer(serializers.Serializer):
    slug = serializers.CharField(source="event.slug")
    name = serializers.CharField(source="event.name")
    role = serializers.CharField(help_text="organizer, judge or participant")
    team = serializers.SerializerMethodField(help_text="The caller's team there: {id, name}, or null.")

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            "required": ["id", "name"],
        }
    )
    def get_team(self, item: dict) -> dict | None:
        team = item["team"]
        return {"id": team.pk, "name": team.name} if team else None


class MeSerializer(serializers.Serializer):
    """The caller, with the events where they organize, judge or take part."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    email_verified = serializers.BooleanField(source="can_receive_email")
    country = CountryField()
    time_zone = serializers.CharField(source="timezone")
    language = serializers.CharField(source="preferred_language")
    can_create_events = serializers.SerializerMethodField()
    events = MyEventSerializer(many=True, source="my_events")

    def get_can_create_events(self, user) -> bool:
        return user.has_perm("challenges.add_event")
