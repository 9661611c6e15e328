"""Stored texts are codes rendered in the reader's language; mail goes out in the recipient's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import translation

from hackplatform.texts import Catalogue
from submissions.models import Submission
from submissions.services import submission_score
from submissions.texts import ERRORS

from .factories import MALFORMED_CSV, SubmissionFactory, open_phase, team_in

pytestmark = pytest.mark.django_db


def test_a_scoring_error_is_stored_as_a_code_and_shown_in_the_readers_language(client):
    submission = SubmissionFactory(phase=open_phase(), file=ContentFile(MALFORMED_CSV, name="bad.csv"))
    with translation.override("fr"):  # the worker's language must not matter
        assert submission_score(submission_id=submission.pk) == "failed"
    submission.refresh_from_db()
    assert submission.error_code == "invalid_line" and submission.error_params["line"] == 3
    with translation.override("en"):
        english = submission.error
    with translation.override("es"):
        spanish = submission.error
    assert english.startswith("Your file was not accepted: line 3")
    assert spanish != english and "3" in spanish


def test_every_stored_code_renders_in_every_language_without_missing_parameters():
    params = {"line": 4, "problem": "p", "seconds": 300, "n": 2}
    for code in ERRORS.texts:
        for language in ("en", "es", "pt", "fr"):
            with translation.override(language):
                text = ERRORS.render(code, params)
            assert text and "%(" not in text, (code, language, text)


def test_an_unknown_or_old_code_still_renders():
    catalogue = Catalogue("x", {})
    assert catalogue.render("gone", {"text": "Old words."}) == "Old words."
    assert catalogue.render("gone") == "No details are available."
    with pytest.raises(KeyError):
        catalogue.check("gone")


def test_a_user_gets_mail_in_the_language_they_use_the_site_in(client, django_capture_on_commit_callbacks):
    phase = open_phase()
    team = team_in(phase)
    client.force_login(team.captain)
    client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    team.captain.refresh_from_db()
    assert team.captain.language == "es"
    submission = SubmissionFactory(phase=phase, team=team, submitted_by=team.captain)
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=submission.pk)
    assert submission.__class__.objects.get(pk=submission.pk).status == Submission.Status.SCORED
    with translation.override("es"):
        from django.utils.translation import gettext

        expected = gettext("Submission %(n)s to %(title)s was scored") % {"n": submission.pk, "title": "x"}
    assert expected.split()[0] in mail.outbox[0].subject
    assert not mail.outbox[0].subject.startswith("Submission ")


def test_metrics_have_human_names_in_every_language():
    from submissions.texts import metric_description, metric_label

    with translation.override("en"):
        assert metric_label("mean_pei_star") == "mean PEI*"
        assert metric_label("pei_star@5%") == "PEI* at 5%"
        assert metric_label("custom_metric") == "custom_metric"  # an extra scorer's metric keeps its code
        assert "5%" in metric_description("hit_rate@5%")
        english = metric_description("average_precision")
    for language in ("es", "pt", "fr"):
        with translation.override(language):
            assert metric_description("average_precision") != english, language
            assert "%(" not in metric_label("pai@10%") and "10%" in metric_label("pai@10%")


def test_the_submission_page_names_metrics_in_words(client):
    phase = open_phase()
    team = team_in(phase)
    submission = SubmissionFactory(phase=phase, team=team, submitted_by=team.captain)
    submission_score(submission_id=submission.pk)
    client.force_login(team.captain)
    page = client.get(submission.get_absolute_url()).content.decode()
    assert '<abbr title="average_precision">average precision</abbr>' in page


def test_the_scorers_refusals_and_their_translations_name_the_same_codes_and_fields():
    import re

    from submissions.scoring.errors import PROBLEMS
    from submissions.texts import SCORING_PROBLEMS

    assert set(PROBLEMS) == set(SCORING_PROBLEMS.texts)
    for code, english in PROBLEMS.items():
        fields = set(re.findall(r"\{(\w+)\}", english))
        with translation.override("en"):
            translated = str(SCORING_PROBLEMS.texts[code])
        assert set(re.findall(r"%\((\w+)\)s", translated)) == fields, code
        assert translated == re.sub(r"\{(\w+)\}", r"%(\1)s", english), code  # the same English sentence


def test_a_scorers_refusal_is_shown_in_the_readers_language(client):
    submission = SubmissionFactory(phase=open_phase(), file=ContentFile(MALFORMED_CSV, name="bad.csv"))
    submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.error_params["problem_code"] == "not_number"
    with translation.override("en"):
        assert submission.error == "Your file was not accepted: line 3: score 'not-a-number' is not a number"
