"""Forms of the judging pages: they parse; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from challenges.forms import WallClockField, localize
from challenges.models import Event
from hackplatform.forms import ModelBoundsMixin

from .models import MAX_IMAGES, Criterion, JudgingSettings


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleImageInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        max_length=20_000,
        help_text=_("Markdown. What it does, for whom, and how it keeps people safe."),
    )
    repository_url = forms.CharField(label=_("Repository"), required=False, max_length=500, help_text=_("https://…"))
    video_url = forms.CharField(label=_("Demo or video"), required=False, max_length=500, help_text=_("https://…"))
    submission = forms.TypedChoiceField(
        label=_("Scored submission"), required=False, coerce=int, empty_value=None, choices=[]
    )
    images = MultipleImageField(
        label=_("Screenshots"),
        required=False,
        help_text=_("PNG, JPEG or WebP; up to %(n)d per entry.") % {"n": MAX_IMAGES},
    )

    def __init__(self, *args, submissions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if submissions is None:
            del self.fields["submission"]
        else:
            self.fields["submission"].choices = [("", _("None"))] + [
                (s.pk, f"#{s.pk} · {s.received_at:%Y-%m-%d %H:%M} · {s.public_score}") for s in submissions
            ]


class CriterionForm(ModelBoundsMixin, forms.ModelForm):
    levels_text = forms.CharField(
        label=_("Levels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line per level, lowest score first: what that score means."),
    )

    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "min_score", "max_score"]

    def levels(self) -> list[dict]:
        lines = [line.strip() for line in (self.cleaned_data.get("levels_text") or "").splitlines() if line.strip()]
        start = self.cleaned_data.get("min_score") or 0
        return [{"score": start + i, "text": text} for i, text in enumerate(lines)]


class JudgingSettingsForm(ModelBoundsMixin, forms.ModelForm):
    opens_at = WallClockField(label=_("Judging opens"), required=False)
    closes_at = WallClockField(label=_("Judging closes"), required=False)

    class Meta:
        model = JudgingSettings
        fields = [
            "opens_at",
            "closes_at",
            "judges_per_entry",
            "seed",
            "anonymous",
            "show_judge_names",
            "judged_weight",
            "leaderboard_weight",
        ]

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        for name in ("opens_at", "closes_at"):
            self.fields[name].zone = event.tzinfo
            self.fields[name].help_text = _("Date and time in the event's time zone. Empty: no limit.")

    def clean(self):
        data = super().clean()
        for name in ("opens_at", "closes_at"):
            value = data.get(name)
            if isinstance(value, dt.datetime) and timezone.is_naive(value):
                try:
                    data[name] = localize(value, self.event.tzinfo)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ConflictForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)
    country = LazyTypedChoiceField(label=_("Or a whole country"), choices=[("", "—"), *countries], required=False)
    judge = forms.ModelChoiceField(label=_("Judge"), queryset=None, required=False, to_field_name="username")

    def __init__(self, *args, event: Event, judges=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = event.teams.order_by("name")
        if judges is None:
            del self.fields["judge"]
        else:
            self.fields["judge"].queryset = judges


class AssignmentRunForm(forms.Form):
    judges_per_entry = forms.IntegerField(label=_("Judges per entry"), min_value=1, max_value=20)
    seed = forms.IntegerField(label=_("Seed"), min_value=-(2**31), max_value=2**31 - 1)
    keep_existing = forms.BooleanField(
        label=_("Keep the current assignment where it is still valid"), required=False, initial=True
    )


class PrizeForm(forms.Form):
    name = forms.CharField(label=_("Prize"), max_length=120)
    challenge = forms.ModelChoiceField(label=_("Challenge"), queryset=None, required=False)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = event.challenges.all()
