from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    """The upload page's form. The rules (window, limits, size, type) live in services.submission_create."""

    file = forms.FileField(
        label=_("Predictions file"),
        help_text=_("CSV with the header given in the challenge's description, or the same compressed as .csv.gz."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.gz,text/csv,application/gzip"}),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=500,
        help_text=_("A note for your team: what changed in this submission."),
        widget=forms.TextInput(),
    )
