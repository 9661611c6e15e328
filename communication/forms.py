from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from challenges.forms import WallClockField, localize
from challenges.models import Challenge, Event

from .models import Announcement, EmailOptOut


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea, help_text=_("Markdown."))
    audience = forms.ChoiceField(label=_("Send to"), choices=Announcement.Audience.choices)
    challenge = forms.ModelChoiceField(label=_("Challenge"), queryset=Challenge.objects.none(), required=False)
    send_at = WallClockField(
        label=_("Send at"), required=False, help_text=_("In the event's time zone. Empty: send now.")
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["challenge"].queryset = Challenge.objects.filter(event=event)
        self.fields["send_at"].zone = event.tzinfo
        # Translations only in the event's languages (the event's settings choose them).
        for code, name in self.languages():
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name}, max_length=200, required=False
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message in %(language)s") % {"language": name}, widget=forms.Textarea, required=False
            )

    def languages(self) -> list[tuple[str, str]]:
        names = dict(settings.LANGUAGES)
        return [(code, names[code]) for code in self.event.language_codes]

    def clean_send_at(self):
        value = self.cleaned_data.get("send_at")
        if value is None:
            return None
        try:
            return localize(value, self.event.tzinfo)
        except ValidationError:
            raise

    def service_fields(self) -> dict:
        data = self.cleaned_data
        translations = {}
        for code, _name in self.languages():
            title, body = data.get(f"title_{code}", "").strip(), data.get(f"body_{code}", "").strip()
            if title or body:
                translations[code] = {k: v for k, v in (("title", title), ("body", body)) if v}
        return {
            "title": data["title"],
            "body": data["body"],
            "audience": data["audience"],
            "challenge": data.get("challenge"),
            "send_at": data.get("send_at"),
            "translations": translations,
        }


class EmailPreferencesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label=_("Emails I want"),
        choices=EmailOptOut.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Emails about your account (address checks, passwords) are always sent."),
    )


class BoardProfileForm(forms.Form):
    pitch = forms.CharField(label=_("Pitch"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    skills = forms.MultipleChoiceField(label=_("Skills"), widget=forms.CheckboxSelectMultiple, required=False)
    languages = forms.CharField(
        label=_("Languages you speak"), required=False, help_text=_("Separated by commas, e.g. es, en, pt.")
    )
    country = forms.CharField(label=_("Country code"), max_length=2, required=False)
    timezone = forms.CharField(label=_("Time zone"), max_length=64, required=False, help_text=_("e.g. America/Lima"))

    def __init__(self, *args, skills: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(s, s) for s in skills]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "pitch": data["pitch"],
            "skills": data["skills"],
            "languages": [part.strip() for part in data["languages"].split(",") if part.strip()],
            "country": data["country"],
            "timezone_name": data["timezone"],
        }
