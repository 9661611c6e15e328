"""Forms of the organizer and participant pages. Business rules stay in services; these parse input.

Datetimes are typed as wall-clock times *in the event's zone* (never date-only) and made aware here,
refusing times that a daylight-saving change makes ambiguous or impossible.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from hackplatform.forms import ModelBoundsMixin

from .images import process_image
from .models import AOE, FIRST_YEAR, LAST_YEAR, Challenge, Event, EventRole, Phase, Team, all_languages

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


@cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [
        ("UTC", "UTC"),
        (AOE, str(_("Anywhere on Earth (UTC−12)"))),
        *[(z, z.replace("_", " ")) for z in zones],
    ]


def localize(naive: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Attach `zone` to a wall-clock time; refuse times skipped or repeated by a daylight-saving change."""
    if not FIRST_YEAR <= naive.year <= LAST_YEAR:
        # Near datetime's limits (years 1 and 9999) the conversion below would overflow.
        raise ValidationError(
            _("Pick a date between the years %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    aware = naive.replace(tzinfo=zone)
    back = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        raise ValidationError(_("This time does not exist in the event's time zone (clocks jump forward then)."))
    if naive.replace(tzinfo=zone, fold=1).utcoffset() != aware.utcoffset():
        raise ValidationError(
            _("This time happens twice in the event's time zone (clocks go back then): pick another.")
        )
    return aware


class WallClockField(forms.DateTimeField):
    """A date *and* time typed in a given zone (set `zone` before rendering); cleans to a naive datetime."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)
    input_formats = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", self.input_formats)
        super().__init__(*args, **kwargs)
        self.zone: zoneinfo.ZoneInfo = zoneinfo.ZoneInfo("UTC")

    def prepare_value(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return value.astimezone(self.zone).replace(tzinfo=None)
        return value

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return (
                value.replace(tzinfo=None)
                if timezone.is_naive(value)
                else value.astimezone(self.zone).replace(tzinfo=None)
            )
        with timezone.override(dt.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result else result


def _check_image(upload) -> None:
    if upload and hasattr(upload, "read"):
        process_image(upload, name="check")
        upload.seek(0)


class EventForm(ModelBoundsMixin, forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    registration_opens_at = WallClockField(label=_("Registration opens"), required=False)
    registration_closes_at = WallClockField(label=_("Registration closes"), required=False)
    banner = forms.FileField(
        label=_("Banner image"),
        required=False,
        help_text=_("PNG, JPEG or WebP. It is re-encoded (metadata removed) and shrunk."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        initial=all_languages,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Announcements can be translated into these languages. None ticked: all of them."),
    )

    class Meta:
        model = Event
        fields = [
            "name",
            "slug",
            "description",
            "banner",
            "timezone",
            "registration_opens_at",
            "registration_closes_at",
            "team_size_min",
            "team_size_max",
            "max_teams",
            "visibility",
            "roster_visibility",
            "code_of_conduct",
            "languages",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "code_of_conduct": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self.instance.tzinfo if self.instance.pk else zoneinfo.ZoneInfo("UTC")
        for name in ("registration_opens_at", "registration_closes_at"):
            self.fields[name].zone = zone
            self.fields[name].help_text = _("A date and time in the event's time zone.")
        if self.instance.pk:
            del self.fields["slug"]
        else:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Part of the event's address. Empty: made from the name.")

    def clean_slug(self):
        slug = self.cleaned_data["slug"] or slugify(self.cleaned_data.get("name") or "")[:80]
        if slug in {"new", "import"}:  # taken by the "create an event" and "import an event" pages
            raise ValidationError(_("This slug is reserved; choose another."))
        return slug

    def clean_languages(self):
        return self.cleaned_data.get("languages") or all_languages()

    def clean_banner(self):
        upload = self.cleaned_data.get("banner")
        if upload is False:  # "clear" ticked
            return None
        _check_image(upload)
        return upload

    def _post_clean(self):
        # Make the wall-clock times aware in the zone chosen in this very form, before model validation.
        zone_name = self.cleaned_data.get("timezone") or "UTC"
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("registration_opens_at", "registration_closes_at"):
            value = self.cleaned_data.get(name)
            if isinstance(value, dt.datetime) and timezone.is_naive(value):
                try:
                    self.cleaned_data[name] = localize(value, zone)
                except ValidationError as exc:
                    self.add_error(name, exc)
        banner = self.cleaned_data.pop("banner", None)
        self._banner_upload = banner if banner and hasattr(banner, "read") else None
        super()._post_clean()

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data and name != "banner"
        }


class TermsForm(forms.Form):
    text = forms.CharField(
        label=_("Data-use agreement"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown. Publishing a new version asks every registered participant to accept it again."),
    )


class ChallengeForm(forms.Form):
    SOURCE_CHOICES = [
        (Challenge.DatasetSource.GENERATED, _("Generate a synthetic dataset (kind, seed, size)")),
        (Challenge.DatasetSource.UPLOADED, _("Upload our own truth and participant files")),
        (Challenge.DatasetSource.NONE, _("No dataset (judged challenges, or later)")),
    ]
    kind = forms.ChoiceField(label=_("Kind"), choices=Challenge.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(label=_("Slug"), max_length=80, required=False, help_text=_("Empty: made from the title."))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}), required=False, help_text=_("Markdown.")
    )
    dataset_source = forms.ChoiceField(
        label=_("Dataset"), choices=SOURCE_CHOICES, widget=forms.RadioSelect, initial="generated"
    )
    dataset_seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**62,
        required=False,
        help_text=_("The same seed gives the same files."),
    )
    # Not required: the page's script disables the generated fields when another source is chosen.
    dataset_size = forms.ChoiceField(
        label=_("Size"), choices=Challenge.DatasetSize.choices, initial="small", required=False
    )
    truth_file = forms.FileField(
        label=_("Truth file (CSV)"),
        required=False,
        help_text=_("Checked against the scoring rules of the kind. Never shown to participants."),
    )
    public_files = forms.FileField(
        label=_("Participant files (zip or CSV)"), required=False, help_text=_("Must include sample_submission.csv.")
    )

    def __init__(self, *args, challenge: Challenge | None = None, **kwargs):
        if challenge is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": challenge.kind,
                    "title": challenge.title,
                    "slug": challenge.slug,
                    "description": challenge.description,
                    "dataset_source": challenge.dataset_source,
                    "dataset_seed": challenge.dataset_seed,
                    "dataset_size": challenge.dataset_size,
                },
            )
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        if challenge is not None:
            self.fields["kind"].disabled = True

    # The fields that only one dataset source uses, grouped in the page (a script shows the chosen group).
    SOURCE_FIELDS = {
        Challenge.DatasetSource.GENERATED: ("dataset_seed", "dataset_size"),
        Challenge.DatasetSource.UPLOADED: ("truth_file", "public_files"),
    }

    def general_fields(self):
        grouped = {name for names in self.SOURCE_FIELDS.values() for name in names}
        return [field for field in self.visible_fields() if field.name not in grouped]

    def source_groups(self):
        legends = {
            Challenge.DatasetSource.GENERATED: _("Generated dataset"),
            Challenge.DatasetSource.UPLOADED: _("Uploaded dataset"),
        }
        return [
            {"source": str(source), "legend": legends[source], "fields": [self[name] for name in names]}
            for source, names in self.SOURCE_FIELDS.items()
        ]

    def clean(self):
        data = super().clean()
        data["dataset_size"] = data.get("dataset_size") or Challenge.DatasetSize.SMALL
        source = data.get("dataset_source")
        kind = data.get("kind")
        if kind == Challenge.Kind.JUDGED and source != Challenge.DatasetSource.NONE:
            self.add_error("dataset_source", _("Judged challenges have no scored dataset: choose “No dataset”."))
        if source == Challenge.DatasetSource.GENERATED and data.get("dataset_seed") is None:
            self.add_error("dataset_seed", _("Give a seed to generate the dataset."))
        if source == Challenge.DatasetSource.UPLOADED:
            has_existing = (
                self.challenge is not None and self.challenge.dataset_source == Challenge.DatasetSource.UPLOADED
            )
            if not data.get("truth_file") and not has_existing:
                self.add_error("truth_file", _("Upload the truth file."))
            if not data.get("public_files") and not has_existing:
                self.add_error("public_files", _("Upload the participant files."))
            if bool(data.get("truth_file")) != bool(data.get("public_files")) and has_existing:
                self.add_error("public_files", _("Replace both files together: the truth and the participant files."))
        return data


class PhaseForm(ModelBoundsMixin, forms.ModelForm):
    opens_at = WallClockField(label=_("Opens at"))
    closes_at = WallClockField(label=_("Closes at"))
    grace_minutes = forms.IntegerField(
        label=_("Grace period (minutes)"),
        min_value=0,
        max_value=24 * 60,
        initial=0,
        help_text=_("Uploads arriving this long after the deadline are still accepted. Shown to participants."),
    )

    class Meta:
        model = Phase
        fields = [
            "name",
            "opens_at",
            "closes_at",
            "daily_limit",
            "total_limit",
            "failed_count",
            "leaderboard_mode",
            "public_leaderboard",
            "order",
        ]

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        for name in ("opens_at", "closes_at"):
            self.fields[name].zone = event.tzinfo
            self.fields[name].help_text = _("Date and time in the event's time zone.")
        if self.instance.pk:
            self.fields["grace_minutes"].initial = self.instance.grace_seconds // 60
        self.fields["daily_limit"].help_text = _("Empty: no daily limit. Days end at midnight UTC.")
        self.fields["total_limit"].help_text = _("Empty: no limit.")

    def clean(self):
        data = super().clean()
        for name in ("opens_at", "closes_at"):
            value = data.get(name)
            if isinstance(value, dt.datetime) and timezone.is_naive(value):
                try:
                    data[name] = localize(value, self.event.tzinfo)
                except ValidationError as exc:
                    self.add_error(name, exc)
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The phase must close after it opens."))
        return data

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        fields["grace_seconds"] = (self.cleaned_data.get("grace_minutes") or 0) * 60
        return fields


class RegisterForm(forms.Form):
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the data-use agreement above, and the code of conduct."),
        required=True,
        error_messages={
            "required": _("Tick the box to accept the data-use agreement; you cannot register without it.")
        },
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=80)
    country = LazyTypedChoiceField(label=_("Country"), choices=[("", "---------"), *countries])
    logo = forms.FileField(
        label=_("Logo (optional)"),
        required=False,
        help_text=_("PNG, JPEG or WebP; re-encoded and shrunk."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        _check_image(upload)
        return upload


class TeamEditForm(TeamForm):
    """The team form once the team exists: an empty logo field keeps the current logo."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].label = _("New logo (optional)")
        self.fields["logo"].help_text = _(
            "PNG, JPEG or WebP; re-encoded and shrunk. Leave empty to keep the current logo."
        )
        self.fields["logo"].widget = forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"})


class JoinTeamForm(forms.Form):
    join_code = forms.CharField(
        label=_("Join code"), max_length=20, help_text=_("Your captain finds it on the team page.")
    )


class TransferCaptainForm(forms.Form):
    new_captain = forms.ModelChoiceField(label=_("New captain"), queryset=None)

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["new_captain"].queryset = User.objects.filter(team_memberships__team=team).exclude(
            pk=team.captain_id
        )


class RoleForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=EventRole.Role.choices, initial=EventRole.Role.JUDGE)
