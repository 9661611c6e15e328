"""Form labels are in sentence case everywhere: "Submission limit per day", never "submission limit per
day" nor "Submission Limit Per Day"."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

APPS = ("accounts", "challenges", "submissions", "judging", "communication")
ROOT = Path(__file__).resolve().parents[2]
# Words that keep their capital inside a sentence: names, acronyms, languages.
PROPER = re.compile(r"^(I|CSV|UTC|URL|API|ID|PNG|JPEG|WebP|Markdown|GitHub|[A-Z]{2,}|\(?CSV\)?|%\(\w+\)s)$")


def sentence_case_problem(label: str) -> str | None:
    label = str(label)
    if not label or not label[0].isupper():
        return "starts in lower case"
    for word in re.findall(r"[\w%()]+", label)[1:]:
        bare = word.strip("()")
        if bare[:1].isupper() and not PROPER.match(bare):
            return f"capitalises {word!r}"
    return None


def form_classes():
    for app in APPS:
        module = importlib.import_module(f"{app}.forms")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_declared_label_is_in_sentence_case():
    problems = []
    with translation.override("en"):
        for cls in form_classes():
            for name, field in cls.base_fields.items():
                label = field.label if field.label is not None else forms.forms.pretty_name(name)
                problem = sentence_case_problem(label)
                if problem:
                    problems.append(f"{cls.__name__}.{name}: {label!r} {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("app", APPS)
def test_labels_set_at_run_time_are_in_sentence_case_too(app):
    # Labels given in __init__ (e.g. a logo's "New logo (optional)") are not in base_fields: read the source.
    source = (ROOT / app / "forms.py").read_text()
    labels = re.findall(r'label\s*=\s*_\(\s*"([^"]*)"', source)
    assert labels or app in ("accounts", "submissions")
    problems = [f"{label!r}: {p}" for label in labels if (p := sentence_case_problem(label))]
    assert not problems, "\n".join(problems)
