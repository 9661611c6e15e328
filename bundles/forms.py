from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    full = forms.BooleanField(
        label=_("Full archive, with the dataset secrets and the uploaded truth files"),
        required=False,
        help_text=_(
            "Only to move the event to another server you control: anyone holding it can rebuild the hidden data."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that a full archive holds the hidden truth and will keep it safe"), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("full") and not data.get("confirm"):
            self.add_error("confirm", _("Confirm that you will keep the full archive safe, or untick “Full archive”."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("bundle (YAML or zip)"))
    slug = forms.SlugField(label=_("slug of the new event"), max_length=80, required=False,
                           help_text=_("Empty: the bundle's slug (it must not be taken)."))  # fmt: skip
    name = forms.CharField(label=_("name of the new event"), max_length=200, required=False,
                           help_text=_("Empty: the bundle's name."))  # fmt: skip
    shift_days = forms.IntegerField(
        label=_("move every date by (days)"),
        required=False,
        min_value=-36500,
        max_value=36500,
        help_text=_("For next year's edition: 365 (or 364 to keep the weekdays)."),
    )
    start_on = forms.DateField(
        label=_("or: the first date becomes"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Moves every date by the same amount so that the earliest one falls on this day (UTC)."),
    )

    def clean(self):
        data = super().clean()
        if data.get("shift_days") is not None and data.get("start_on"):
            self.add_error("start_on", _("Give either a number of days or a first date, not both."))
        return data
