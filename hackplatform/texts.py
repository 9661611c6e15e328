"""Texts stored as a code and parameters, rendered in the reader's language when shown.

A background job runs in the worker's language and an email goes to someone who is not the one
making the request, so text written for later is stored as `(code, params)` and turned into words
only when a person reads it: the page in the viewer's language, the email in the recipient's.

Each app keeps its catalogue next to the code that writes the texts:

    ERRORS = Catalogue("submissions.error", {
        "no_truth": gettext_lazy("This challenge has no answer key yet ..."),
        "gave_up": ngettext_lazy("...%(n)s attempt...", "...%(n)s attempts...", "n"),
    })
    ERRORS.render("gave_up", {"n": 3})   # in the active language

Messages are lazy (makemessages finds them, plural forms included); rendering translates them then.
A code the catalogue does not know (a newer worker wrote it, or it was removed) renders its `text`
parameter if any, else a neutral sentence: a page never fails on a stored message.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext


class _Missing(defaultdict):
    def __missing__(self, key):  # a parameter an older row lacks shows as empty, never a 500
        return ""


class Catalogue:
    def __init__(self, name: str, texts: dict[str, Promise]) -> None:
        self.name = name
        self.texts = texts

    def __contains__(self, code: str) -> bool:
        return code in self.texts

    def check(self, code: str) -> str:
        """Return `code` if the catalogue has it; writers call this so a typo fails at once, in tests."""
        if code not in self.texts:
            raise KeyError(f"{self.name}: no text for code {code!r}")
        return code

    def render(self, code: str, params: dict[str, Any] | None = None) -> str:
        text = self.texts.get(code)
        if text is None:
            return str((params or {}).get("text") or "") or gettext("No details are available.")
        return str(text % _Missing(None, params or {}))
