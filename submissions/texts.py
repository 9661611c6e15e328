"""Texts that submissions stores for later (see hackplatform.texts): codes and their sentences."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from hackplatform.texts import Catalogue

ERRORS = Catalogue(
    "submissions.error",
    {
        "no_truth": _(
            "This challenge has no answer key yet, so it cannot be scored. It does not count towards your "
            "limits; the organizers can re-score it once they add the answer key."
        ),
        "invalid_file": _("Your file was not accepted: %(problem)s"),
        "invalid_line": _("Your file was not accepted: line %(line)s: %(problem)s"),
        "time_limit": _(
            "Scoring took longer than %(seconds)s seconds and was stopped. Check that the file has one row per "
            "id and nothing else."
        ),
        "internal": _(
            "Scoring failed because of a problem on our side, not with your file. It does not count towards "
            "your limits; the organizers can re-score it."
        ),
        "gave_up": ngettext_lazy(
            "Your file could not be scored after %(n)s attempt: the scoring stopped before the end. "
            "It does not count towards your limits; the organizers can re-score it.",
            "Your file could not be scored after %(n)s attempts: each time the scoring stopped before the end. "
            "It does not count towards your limits; the organizers can re-score it.",
            "n",
        ),
    },
)
