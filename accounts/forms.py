from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


@cache
def _zones() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("", _("The zone my browser reports")), ("UTC", "UTC"), *[(z, z.replace("_", " ")) for z in zones]]


class SignUpForm(UserCreationForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=_zones, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "country", "timezone")

    def __init__(self, *args, browser_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # The zone the browser reported (site.js's cookie), offered as the choice; the person may change it.
        if browser_zone and not self.is_bound:
            self.initial["timezone"] = browser_zone
        self.fields["timezone"].help_text = _(
            "Deadlines and times are shown in this zone; we filled in the one your browser reports."
        )
        self.fields["email"].required = True
        self.fields["email"].help_text = _("For password resets only; never shown to other participants.")
        self.fields["country"].required = True
        self.fields["country"].help_text = _("Shown on your team's entries and used for the registration statistics.")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."), code="email_taken")
        return email


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=_zones, required=False)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "country", "timezone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "A new address takes effect once you open the link we send to it; until then the current one stays."
        )
        self.fields["timezone"].help_text = User._meta.get_field("timezone").help_text

    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("An account with this email address already exists."), code="email_taken")
        return email
